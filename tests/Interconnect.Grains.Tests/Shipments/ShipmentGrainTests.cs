using System.Security.Cryptography;
using System.Text.Json;
using Interconnect.Grains.Runtime;
using Interconnect.Grains.Shipments;
using Interconnect.Grains.Tests.Support;
using Interconnect.Ledger.Chains;
using Interconnect.Ledger.Signing;

namespace Interconnect.Grains.Tests.Shipments;

public sealed class ShipmentGrainTests : IAsyncLifetime
{
    private const string Ucr = "6NL123456789-2026-0001";
    private static readonly DateOnly Issued = new(2026, 11, 19);

    private readonly TestNode _node = TestNode.Start("NL");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private IShipmentGrain Grain(string key = Ucr) => _node.Grain<IShipmentGrain>(key);

    private static string DigestOf(string content) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)));

    private static readonly DeclareShipment Declaration = new("NL", "JP", "Flower Exports B.V.", "Tokyo Flowers K.K.");

    private static AttachShipmentDocument Phyto(string number = "NL-PC-0001") =>
        new("phytosanitary-certificate", number, Issued, DigestOf(number));

    private async Task<IShipmentGrain> InStatus(ShipmentStatus status)
    {
        var grain = Grain();
        var path = new Func<Task>[]
        {
            () => grain.Declare(Declaration),
            () => grain.MarkPreArrivalSent(new SendPreArrivalData()),
            () => grain.PlaceUnderControl(new PlaceShipmentUnderControl("documentary check")),
        };
        var steps = status switch
        {
            ShipmentStatus.None => 0,
            ShipmentStatus.Declared => 1,
            ShipmentStatus.PreArrivalDataSent => 2,
            _ => 3,
        };
        foreach (var step in path.Take(steps))
        {
            await step();
        }

        if (status == ShipmentStatus.Held)
        {
            await grain.Hold(new HoldShipment("sample taken"));
        }

        if (status is ShipmentStatus.Released or ShipmentStatus.Exited)
        {
            await grain.Release(new ReleaseShipment());
        }

        if (status == ShipmentStatus.Exited)
        {
            await grain.Exit(new RecordShipmentExit());
        }

        Assert.Equal(status, (await grain.GetState()).Status);
        return grain;
    }

    private async Task AssertRefused(ShipmentStatus status, Func<IShipmentGrain, Task> act, string code)
    {
        var grain = await InStatus(status);
        var before = await _node.HeadAsync(ShipmentGrain.EntityKind, Ucr);

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => act(grain));

        Assert.Equal(code, error.Code);
        Assert.Equal(before, await _node.HeadAsync(ShipmentGrain.EntityKind, Ucr));
        Assert.Equal(status, (await grain.GetState()).Status);
    }

    private async Task AssertRefused(IShipmentGrain grain, Func<IShipmentGrain, Task> act, string code)
    {
        var before = await _node.HeadAsync(ShipmentGrain.EntityKind, Ucr);

        var error = await Assert.ThrowsAsync<DomainRuleException>(() => act(grain));

        Assert.Equal(code, error.Code);
        Assert.Equal(before, await _node.HeadAsync(ShipmentGrain.EntityKind, Ucr));
    }

    [Fact]
    public async Task Lifecycle_DeclareToExitThroughHold_FoldsEachStepAndChainVerifies()
    {
        var grain = Grain();

        var declared = await grain.Declare(Declaration);
        await grain.AttachDocument(Phyto());
        var sent = await grain.MarkPreArrivalSent(new SendPreArrivalData());
        var controlled = await grain.PlaceUnderControl(new PlaceShipmentUnderControl("documentary check"));
        var held = await grain.Hold(new HoldShipment("sample taken"));
        var released = await grain.Release(new ReleaseShipment("sample negative"));
        var exited = await grain.Exit(new RecordShipmentExit());

        Assert.Equal(ShipmentStatus.Declared, declared.Status);
        Assert.Equal("JP", declared.ImportingAdministration);
        Assert.Equal("Flower Exports B.V.", declared.Consignor);
        Assert.Equal(ShipmentStatus.PreArrivalDataSent, sent.Status);
        Assert.Equal(ShipmentStatus.UnderControl, controlled.Status);
        Assert.Equal(ShipmentStatus.Held, held.Status);
        Assert.Equal("sample taken", held.Reason);
        Assert.Equal(ShipmentStatus.Released, released.Status);
        Assert.Equal(ShipmentStatus.Exited, exited.Status);
        var ledger = await grain.GetLedger(1, 100);
        Assert.Equal(7, ledger.Count);
        Assert.All(ledger, e => Assert.Equal(Ucr, e["ucr"]));
        Assert.True(ChainVerifier.Verify(ledger.Select(e => e.Entry), new StaticKeyResolver([("NL", _node.Context.Signer.PublicKey)])).IsValid);
    }

    [Fact]
    public async Task Release_DirectlyFromUnderControl_IsAllowed()
    {
        var grain = await InStatus(ShipmentStatus.UnderControl);

        var view = await grain.Release(new ReleaseShipment());

        Assert.Equal(ShipmentStatus.Released, view.Status);
    }

    [Theory]
    [InlineData(ShipmentStatus.Declared, "shipment-declared")]
    [InlineData(ShipmentStatus.Exited, "shipment-exited")]
    public Task Declare_Again_IsRefused(ShipmentStatus status, string code) =>
        AssertRefused(status, g => g.Declare(Declaration), code);

    [Theory]
    [InlineData(ShipmentStatus.None, "shipment-not-declared")]
    [InlineData(ShipmentStatus.PreArrivalDataSent, "shipment-pre-arrival-data-sent")]
    [InlineData(ShipmentStatus.UnderControl, "shipment-under-control")]
    [InlineData(ShipmentStatus.Released, "shipment-released")]
    [InlineData(ShipmentStatus.Exited, "shipment-exited")]
    public Task MarkPreArrivalSent_WhenNotJustDeclared_IsRefused(ShipmentStatus status, string code) =>
        AssertRefused(status, g => g.MarkPreArrivalSent(new SendPreArrivalData()), code);

    [Theory]
    [InlineData(ShipmentStatus.None, "shipment-not-declared")]
    [InlineData(ShipmentStatus.Declared, "shipment-declared")]
    [InlineData(ShipmentStatus.UnderControl, "shipment-under-control")]
    [InlineData(ShipmentStatus.Held, "shipment-held")]
    [InlineData(ShipmentStatus.Released, "shipment-released")]
    [InlineData(ShipmentStatus.Exited, "shipment-exited")]
    public Task PlaceUnderControl_WhenPreArrivalDataNotJustSent_IsRefused(ShipmentStatus status, string code) =>
        AssertRefused(status, g => g.PlaceUnderControl(new PlaceShipmentUnderControl("check")), code);

    [Theory]
    [InlineData(ShipmentStatus.None, "shipment-not-declared")]
    [InlineData(ShipmentStatus.Declared, "shipment-declared")]
    [InlineData(ShipmentStatus.PreArrivalDataSent, "shipment-pre-arrival-data-sent")]
    [InlineData(ShipmentStatus.Held, "shipment-held")]
    [InlineData(ShipmentStatus.Released, "shipment-released")]
    [InlineData(ShipmentStatus.Exited, "shipment-exited")]
    public Task Hold_WhenNotUnderControl_IsRefused(ShipmentStatus status, string code) =>
        AssertRefused(status, g => g.Hold(new HoldShipment("sample")), code);

    [Theory]
    [InlineData(ShipmentStatus.None, "shipment-not-declared")]
    [InlineData(ShipmentStatus.Declared, "shipment-declared")]
    [InlineData(ShipmentStatus.PreArrivalDataSent, "shipment-pre-arrival-data-sent")]
    [InlineData(ShipmentStatus.Released, "shipment-released")]
    [InlineData(ShipmentStatus.Exited, "shipment-exited")]
    public Task Release_WhenNotUnderControlOrHeld_IsRefused(ShipmentStatus status, string code) =>
        AssertRefused(status, g => g.Release(new ReleaseShipment()), code);

    [Theory]
    [InlineData(ShipmentStatus.None, "shipment-not-declared")]
    [InlineData(ShipmentStatus.Declared, "shipment-declared")]
    [InlineData(ShipmentStatus.UnderControl, "shipment-under-control")]
    [InlineData(ShipmentStatus.Held, "shipment-held")]
    [InlineData(ShipmentStatus.Exited, "shipment-exited")]
    public Task Exit_WhenNotReleased_IsRefused(ShipmentStatus status, string code) =>
        AssertRefused(status, g => g.Exit(new RecordShipmentExit()), code);

    [Fact]
    public async Task MarkPreArrivalSent_ByTheImportingAdministration_IsRefused()
    {
        var grain = Grain();
        await grain.Declare(new DeclareShipment("JP", "NL", "Tokyo Flowers K.K.", "Flower Imports B.V."));

        await AssertRefused(grain, g => g.MarkPreArrivalSent(new SendPreArrivalData()), "shipment-not-exporter");
    }

    [Fact]
    public async Task Documents_AttachReplaceWithdraw_KeepReferencesBothWays()
    {
        var grain = await InStatus(ShipmentStatus.Declared);
        await grain.AttachDocument(Phyto("NL-PC-0001"));
        await grain.AttachDocument(new AttachShipmentDocument("certificate-of-origin", "NL-CO-77", Issued, DigestOf("origin").ToUpperInvariant()));

        await grain.ReplaceDocument(new ReplaceShipmentDocument("NL-PC-0001", "NL-PC-0002", Issued.AddDays(1), DigestOf("v2"), "botanical name corrected"));
        var view = await grain.WithdrawDocument(new WithdrawShipmentDocument("NL-CO-77", "issued in error"));

        var old = view.Document("NL-PC-0001")!;
        var replacement = view.Document("NL-PC-0002")!;
        Assert.Equal(DocumentStatus.Replaced, old.Status);
        Assert.Equal("NL-PC-0002", old.ReplacedBy);
        Assert.Equal(DocumentStatus.Issued, replacement.Status);
        Assert.Equal("NL-PC-0001", replacement.Replaces);
        Assert.Equal("phytosanitary-certificate", replacement.DocumentType);
        Assert.Equal(DigestOf("v2"), replacement.ContentDigest);
        Assert.Equal(DocumentStatus.Withdrawn, view.Document("NL-CO-77")!.Status);
        Assert.Equal(DigestOf("origin"), view.Document("NL-CO-77")!.ContentDigest);
        Assert.Equal(3, view.Documents.Count);
    }

    [Fact]
    public async Task AttachDocument_DuplicateNumber_IsRefused()
    {
        var grain = await InStatus(ShipmentStatus.Declared);
        await grain.AttachDocument(Phyto());

        await AssertRefused(grain, g => g.AttachDocument(Phyto()), "shipment-document-exists");
    }

    [Fact]
    public async Task ReplaceDocument_WithTheNumberOfAReplacedDocument_IsRefused()
    {
        var grain = await InStatus(ShipmentStatus.Declared);
        await grain.AttachDocument(Phyto("A1"));
        await grain.AttachDocument(Phyto("B1"));
        await grain.ReplaceDocument(new ReplaceShipmentDocument("A1", "A2", Issued, DigestOf("A2"), "corrected"));

        await AssertRefused(grain, g => g.ReplaceDocument(new ReplaceShipmentDocument("B1", "A1", Issued, DigestOf("A1"), "reuse")), "shipment-document-exists");
    }

    [Fact]
    public async Task ReplaceDocument_Withdrawn_IsRefused()
    {
        var grain = await InStatus(ShipmentStatus.Declared);
        await grain.AttachDocument(Phyto());
        await grain.WithdrawDocument(new WithdrawShipmentDocument("NL-PC-0001", "error"));

        await AssertRefused(grain, g => g.ReplaceDocument(new ReplaceShipmentDocument("NL-PC-0001", "NL-PC-0002", Issued, DigestOf("x"), "again")), "shipment-document-withdrawn");
    }

    [Fact]
    public async Task ReplaceDocument_AlreadyReplaced_IsRefused()
    {
        var grain = await InStatus(ShipmentStatus.Declared);
        await grain.AttachDocument(Phyto("A1"));
        await grain.ReplaceDocument(new ReplaceShipmentDocument("A1", "A2", Issued, DigestOf("A2"), "corrected"));

        await AssertRefused(grain, g => g.ReplaceDocument(new ReplaceShipmentDocument("A1", "A3", Issued, DigestOf("A3"), "again")), "shipment-document-replaced");
    }

    [Fact]
    public async Task WithdrawDocument_Twice_IsRefused()
    {
        var grain = await InStatus(ShipmentStatus.Declared);
        await grain.AttachDocument(Phyto());
        await grain.WithdrawDocument(new WithdrawShipmentDocument("NL-PC-0001", "error"));

        await AssertRefused(grain, g => g.WithdrawDocument(new WithdrawShipmentDocument("NL-PC-0001", "again")), "shipment-document-withdrawn");
    }

    [Fact]
    public async Task WithdrawDocument_Unknown_IsRefused()
    {
        var grain = await InStatus(ShipmentStatus.Declared);

        await AssertRefused(grain, g => g.WithdrawDocument(new WithdrawShipmentDocument("NL-PC-9999", "error")), "shipment-document-unknown");
    }

    [Theory]
    [InlineData(ShipmentStatus.None, "shipment-not-declared")]
    [InlineData(ShipmentStatus.Exited, "shipment-exited")]
    public Task AttachDocument_BeforeDeclarationOrAfterExit_IsRefused(ShipmentStatus status, string code) =>
        AssertRefused(status, g => g.AttachDocument(Phyto()), code);

    [Fact]
    public async Task DeliveryAndResponse_DeliveredWithWarningsThenRejected_FoldsPerPartner()
    {
        var grain = await InStatus(ShipmentStatus.PreArrivalDataSent);

        var pending = await grain.RecordDelivery(new RecordShipmentDelivery("JP", DeliveryState.Pending));
        var delivered = await grain.RecordDelivery(new RecordShipmentDelivery("JP", DeliveryState.DeliveredWithWarnings, "unknown botanical name"));
        var rejected = await grain.RecordBusinessResponse(new RecordShipmentBusinessResponse("JP", BusinessDecision.Rejected, "pest found"));

        Assert.Equal(DeliveryState.Pending, pending.DeliveryTo("JP")!.State);
        Assert.Equal(DeliveryState.DeliveredWithWarnings, delivered.DeliveryTo("JP")!.State);
        Assert.Equal("unknown botanical name", delivered.DeliveryTo("JP")!.Warnings);
        Assert.Equal(BusinessDecision.Rejected, rejected.DeliveryTo("JP")!.Decision);
        Assert.Equal("pest found", rejected.DeliveryTo("JP")!.Reason);
        Assert.Single(rejected.Deliveries);
        var ledger = await grain.GetLedger(1, 100);
        Assert.Equal("delivered-with-warnings", ledger[3]["deliveryState"]);
        Assert.Equal("rejected", ledger[4]["decision"]);
    }

    [Fact]
    public async Task RecordBusinessResponse_Accepted_NeedsNoReason()
    {
        var grain = await InStatus(ShipmentStatus.PreArrivalDataSent);
        await grain.RecordDelivery(new RecordShipmentDelivery("JP", DeliveryState.Delivered));

        var view = await grain.RecordBusinessResponse(new RecordShipmentBusinessResponse("JP", BusinessDecision.Accepted));

        Assert.Equal(BusinessDecision.Accepted, view.DeliveryTo("JP")!.Decision);
        Assert.Null(view.DeliveryTo("JP")!.Reason);
    }

    [Fact]
    public async Task RecordBusinessResponse_ForAPartnerThatIsNeitherExporterNorImporter_IsRefused()
    {
        var grain = await InStatus(ShipmentStatus.PreArrivalDataSent);

        await AssertRefused(grain, g => g.RecordBusinessResponse(new RecordShipmentBusinessResponse("US", BusinessDecision.Accepted)), "shipment-not-a-partner");
    }

    [Fact]
    public async Task RecordDelivery_ForAPartnerThatIsNeitherExporterNorImporter_IsRefused()
    {
        var grain = await InStatus(ShipmentStatus.PreArrivalDataSent);

        await AssertRefused(grain, g => g.RecordDelivery(new RecordShipmentDelivery("US", DeliveryState.Delivered)), "shipment-not-a-partner");
    }

    [Fact]
    public async Task RecordDelivery_ToOurselves_IsRefused()
    {
        var grain = await InStatus(ShipmentStatus.PreArrivalDataSent);

        await AssertRefused(grain, g => g.RecordDelivery(new RecordShipmentDelivery("NL", DeliveryState.Delivered)), "shipment-partner-is-self");
    }

    [Fact]
    public Task RecordDelivery_BeforePreArrivalData_IsRefused() =>
        AssertRefused(ShipmentStatus.Declared, g => g.RecordDelivery(new RecordShipmentDelivery("JP", DeliveryState.Delivered)), "shipment-declared");

    [Fact]
    public Task RecordDelivery_BeforeDeclaration_IsRefused() =>
        AssertRefused(ShipmentStatus.None, g => g.RecordDelivery(new RecordShipmentDelivery("JP", DeliveryState.Delivered)), "shipment-not-declared");

    [Theory]
    [InlineData(DeliveryState.Pending)]
    [InlineData(DeliveryState.NotReadable)]
    [InlineData(DeliveryState.Failed)]
    public async Task RecordBusinessResponse_BeforeDelivery_IsRefused(DeliveryState state)
    {
        var grain = await InStatus(ShipmentStatus.PreArrivalDataSent);
        await grain.RecordDelivery(new RecordShipmentDelivery("JP", state));

        await AssertRefused(grain, g => g.RecordBusinessResponse(new RecordShipmentBusinessResponse("JP", BusinessDecision.Accepted)), "shipment-not-delivered");
    }

    [Fact]
    public async Task RecordBusinessResponse_WithNothingSent_IsRefused()
    {
        var grain = await InStatus(ShipmentStatus.PreArrivalDataSent);

        await AssertRefused(grain, g => g.RecordBusinessResponse(new RecordShipmentBusinessResponse("JP", BusinessDecision.Accepted)), "shipment-not-delivered");
    }

    [Fact]
    public async Task AfterTheBusinessResponse_AnotherResponseOrDelivery_IsRefused()
    {
        var grain = await InStatus(ShipmentStatus.PreArrivalDataSent);
        await grain.RecordDelivery(new RecordShipmentDelivery("JP", DeliveryState.Delivered));
        await grain.RecordBusinessResponse(new RecordShipmentBusinessResponse("JP", BusinessDecision.Accepted));

        await AssertRefused(grain, g => g.RecordBusinessResponse(new RecordShipmentBusinessResponse("JP", BusinessDecision.Rejected, "changed mind")), "shipment-response-final");
        await AssertRefused(grain, g => g.RecordDelivery(new RecordShipmentDelivery("JP", DeliveryState.Failed)), "shipment-response-final");
    }

    [Fact]
    public async Task RecordBusinessResponse_RejectedWithoutReason_IsInvalid()
    {
        var grain = await InStatus(ShipmentStatus.PreArrivalDataSent);
        await grain.RecordDelivery(new RecordShipmentDelivery("JP", DeliveryState.Delivered));
        var before = await _node.HeadAsync(ShipmentGrain.EntityKind, Ucr);

        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => grain.RecordBusinessResponse(new RecordShipmentBusinessResponse("JP", BusinessDecision.Rejected)));

        Assert.Equal("reason", error.Field);
        Assert.Equal(before, await _node.HeadAsync(ShipmentGrain.EntityKind, Ucr));
    }

    [Fact]
    public async Task RecordDelivery_WithWarningsButNoWarningText_IsInvalid()
    {
        var grain = await InStatus(ShipmentStatus.PreArrivalDataSent);

        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => grain.RecordDelivery(new RecordShipmentDelivery("JP", DeliveryState.DeliveredWithWarnings)));

        Assert.Equal("warnings", error.Field);
    }

    [Fact]
    public async Task RecordDelivery_UndefinedState_IsInvalid()
    {
        var grain = await InStatus(ShipmentStatus.PreArrivalDataSent);

        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => grain.RecordDelivery(new RecordShipmentDelivery("JP", (DeliveryState)42)));

        Assert.Equal("state", error.Field);
    }

    public static TheoryData<DeclareShipment, string> BadDeclarations => new()
    {
        { Declaration with { ImportingAdministration = "NL" }, "importingAdministration" },
        { new DeclareShipment("JP", "US", "A", "B"), "exportingAdministration" },
        { Declaration with { ExportingAdministration = "N L" }, "exportingAdministration" },
        { Declaration with { Consignor = new string('c', 501) }, "consignor" },
        { Declaration with { Consignee = "" }, "consignee" },
    };

    [Theory]
    [MemberData(nameof(BadDeclarations))]
    public async Task Declare_BadInput_IsInvalidAndStoresNothing(DeclareShipment command, string field)
    {
        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => Grain().Declare(command));

        Assert.Equal(field, error.Field);
        Assert.Null(await _node.HeadAsync(ShipmentGrain.EntityKind, Ucr));
    }

    public static TheoryData<AttachShipmentDocument, string> BadDocuments => new()
    {
        { Phyto() with { DocumentType = "love-letter" }, "documentType" },
        { Phyto() with { Number = "" }, "number" },
        { Phyto() with { Number = "NL PC 1" }, "number" },
        { Phyto() with { Number = new string('9', 65) }, "number" },
        { Phyto() with { ContentDigest = "abc" }, "contentDigest" },
        { Phyto() with { ContentDigest = new string('g', 64) }, "contentDigest" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public async Task AttachDocument_BadInput_IsInvalidAndHeadUnchanged(AttachShipmentDocument command, string field)
    {
        var grain = await InStatus(ShipmentStatus.Declared);
        var before = await _node.HeadAsync(ShipmentGrain.EntityKind, Ucr);

        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => grain.AttachDocument(command));

        Assert.Equal(field, error.Field);
        Assert.Equal(before, await _node.HeadAsync(ShipmentGrain.EntityKind, Ucr));
    }

    [Theory]
    [InlineData("6nl1234")]
    [InlineData("ABC")]
    [InlineData("-NL123456")]
    [InlineData("6NL1234567890123456789012345678901234")]
    public async Task AnyCall_IllFormedUcr_IsInvalid(string key)
    {
        var error = await Assert.ThrowsAsync<InvalidCommandException>(() => Grain(key).Declare(Declaration));

        Assert.Equal("ucr", error.Field);
        Assert.Equal(0, _node.Activations.Active);
    }

    [Fact]
    public async Task State_AfterDeactivation_ReloadsTheSameStateFromStorage()
    {
        var grain = await InStatus(ShipmentStatus.Held);
        await grain.AttachDocument(Phyto("A1"));
        await grain.ReplaceDocument(new ReplaceShipmentDocument("A1", "A2", Issued, DigestOf("A2"), "corrected"));
        await grain.RecordDelivery(new RecordShipmentDelivery("JP", DeliveryState.Delivered));
        var before = JsonSerializer.Serialize(await grain.GetState());

        await _node.DeactivateAsync(grain);
        var after = await grain.GetState();

        Assert.Equal(before, JsonSerializer.Serialize(after));
        Assert.Equal(2, _node.Activations.Created);
    }
}
