// The node's web UI: this administration's AEO operators, what partners shared with us, partner
// links and alarms, refreshed every second. Plain browser JavaScript over the node's own HTTP API;
// every value from the API goes into the page as text, never as markup.
'use strict';

(() => {
  const REFRESH_MS = 1000;
  // A mesh endpoint this build does not provide (501) is asked again this much later, not every second.
  const UNAVAILABLE_RETRY_MS = 30000;

  const state = {
    node: null,
    refreshing: false,
    unavailable: new Map(), // key -> { until, reason }
  };

  const $ = (selector, root = document) => root.querySelector(selector);

  class ApiError extends Error {
    constructor(status, problem, path) {
      super(problem?.detail || problem?.title || `HTTP ${status} from ${path}`);
      this.status = status;
      this.problem = problem;
    }
  }

  async function api(method, path, body) {
    const init = { method, headers: window.interconnectAccess.headers({ accept: 'application/json' }) };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }

    const response = await fetch(path, init);
    const text = await response.text();
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = { title: text };
      }
    }

    if (!response.ok) {
      throw new ApiError(response.status, json, path);
    }

    return json;
  }

  // A read of the mesh (links, shared entities, endorsements): 501 means this build has no mesh yet.
  async function meshRead(key, path) {
    const away = state.unavailable.get(key);
    if (away && Date.now() < away.until) {
      return { unavailable: away.reason };
    }

    try {
      const value = await api('GET', path);
      state.unavailable.delete(key);
      return { value };
    } catch (e) {
      if (e instanceof ApiError && (e.status === 501 || e.status === 503)) {
        const reason = e.problem?.detail || e.message;
        state.unavailable.set(key, { until: Date.now() + (e.status === 501 ? UNAVAILABLE_RETRY_MS : REFRESH_MS * 5), reason });
        return { unavailable: reason };
      }

      throw e;
    }
  }

  // ---- formatting ----

  function time(iso) {
    if (!iso) {
      return '';
    }

    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace('T', ' ').slice(0, 23) + 'Z';
  }

  function milliseconds(fromIso, toIso) {
    if (!fromIso || !toIso) {
      return null;
    }

    return Math.round(new Date(toIso).getTime() - new Date(fromIso).getTime());
  }

  function cell(row, className) {
    return row.querySelector(`td.${className}`);
  }

  function setText(element, text) {
    const value = text ?? '';
    if (element.textContent !== value) {
      element.textContent = value;
    }
  }

  function element(tag, attributes = {}, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      node.setAttribute(name, value);
    }

    if (text !== undefined) {
      node.textContent = text;
    }

    return node;
  }

  // ---- messages ----

  let messageTimer = null;

  function showMessage(text, kind) {
    const box = $('#message');
    box.replaceChildren(element('span', {}, text));
    box.dataset.kind = kind;
    box.hidden = false;
    clearTimeout(messageTimer);
    if (kind === 'ok') {
      messageTimer = setTimeout(() => { box.hidden = true; }, 8000);
    }
  }

  function showError(error) {
    const box = $('#message');
    const problem = error instanceof ApiError ? error.problem : null;
    const fieldErrors = problem?.errors && Object.keys(problem.errors).length > 0;
    const parts = [element('strong', {}, problem?.title || 'Error')];
    if (!fieldErrors) {
      // With field errors the detail repeats the first of them; the list below says it once per field.
      parts.push(element('span', {}, ' ' + (problem?.detail || error.message)));
    }

    if (problem?.code) {
      parts.push(element('code', {}, ` (${problem.code})`));
    }

    if (fieldErrors) {
      const list = element('ul', { class: 'field-errors' });
      for (const [field, messages] of Object.entries(problem.errors)) {
        for (const message of messages) {
          list.append(element('li', { 'data-field': field }, `${field}: ${message}`));
        }
      }

      parts.push(list);
    }

    box.replaceChildren(...parts);
    box.dataset.kind = 'error';
    box.hidden = false;
    clearTimeout(messageTimer);
  }

  // ---- this administration ----

  function renderNode(node) {
    state.node = node;
    const id = $('#administration');
    setText(id, node.administrationId);
    id.dataset.administration = node.administrationId;
    document.title = `Interconnect ${node.administrationId}`;
    setText($('#key-id'), node.keyId);
    setText($('#log-size'), String(node.logSize));
    setText($('#partner-ids'), node.partners.length ? node.partners.join(', ') : 'none configured');
  }

  // ---- our AEO operators ----

  const OWN_COLUMNS = ['number', 'name', 'programme', 'status', 'last-reason', 'effective', 'entry', 'endorsement'];

  function ownRow(number) {
    const body = $('#own-aeo tbody');
    let row = body.querySelector(`tr[data-aeo="${CSS.escape(number)}"]`);
    if (row) {
      return row;
    }

    row = element('tr', { 'data-aeo': number, 'data-origin': state.node?.administrationId ?? '' });
    for (const column of OWN_COLUMNS) {
      row.append(element('td', { class: column }));
    }

    const actions = element('td', { class: 'actions' });
    actions.append(
      element('input', { class: 'reason', type: 'text', placeholder: 'reason', 'aria-label': `Reason for ${number}` }),
      element('button', { class: 'suspend', type: 'button' }, 'Suspend'),
      element('button', { class: 'reinstate', type: 'button' }, 'Reinstate'));
    row.append(actions);
    return row;
  }

  function updateOwnRow(aeo) {
    const row = ownRow(aeo.aeoNumber);
    row.dataset.status = aeo.status;
    setText(cell(row, 'number'), aeo.aeoNumber);
    setText(cell(row, 'name'), aeo.name);
    setText(cell(row, 'programme'), aeo.programme);
    setText(cell(row, 'status'), aeo.status);
    cell(row, 'status').dataset.status = aeo.status;
    setText(cell(row, 'last-reason'), aeo.reason);
    setText(cell(row, 'effective'), time(aeo.effectiveAt));
    setText(cell(row, 'entry'), `#${aeo.sequence}`);
    cell(row, 'entry').title = aeo.lastEntryHash ?? '';
    $('button.suspend', row).disabled = !(aeo.status === 'certified' || aeo.status === 'reinstated');
    $('button.reinstate', row).disabled = aeo.status !== 'suspended';
    return row;
  }

  function renderEndorsement(row, result) {
    const target = cell(row, 'endorsement');
    if (result.unavailable) {
      setText(target, 'not available');
      target.title = result.unavailable;
      target.dataset.state = 'unavailable';
      return;
    }

    target.title = '';

    const entries = result.value.entries;
    const latest = entries[entries.length - 1];
    if (!latest) {
      setText(target, '');
      return;
    }

    const receipts = latest.receipts.map(r => {
      const latency = r.latencyMs === null || r.latencyMs === undefined ? '' : ` after ${Math.round(r.latencyMs)} ms`;
      return `${r.issuer} ${r.verdict}${latency}${r.reason ? ` (${r.reason})` : ''}`;
    });
    const quorum = latest.quorum === 0
      ? 'no MRA governs it'
      : latest.recognized ? `recognized (quorum ${latest.quorum})` : `awaiting quorum ${latest.quorum}`;
    setText(target, `#${latest.sequence} ${latest.entryType} signed ${time(latest.timestamp)}: ${receipts.length ? receipts.join('; ') : 'no receipt yet'} · ${quorum}`);
    target.dataset.state = latest.recognized ? 'recognized' : 'pending';
    row.dataset.recognized = String(latest.recognized);
  }

  async function refreshOwn() {
    const page = await api('GET', '/api/aeo-operators?limit=1000');
    const body = $('#own-aeo tbody');
    page.items.forEach((aeo, index) => {
      const row = updateOwnRow(aeo);
      if (body.children[index] !== row) {
        body.insertBefore(row, body.children[index] ?? null);
      }
    });
    $('#own-aeo-empty').hidden = page.items.length > 0;

    await Promise.all(page.items.map(async aeo => {
      const result = await meshRead('endorsements', `/api/ledger/aeo-operator/${encodeURIComponent(aeo.aeoNumber)}/endorsements`);
      renderEndorsement(ownRow(aeo.aeoNumber), result);
    }));
  }

  async function change(number, action, reason) {
    try {
      const aeo = await api('POST', `/api/aeo-operators/${encodeURIComponent(number)}/${action}`, { reason });
      const row = updateOwnRow(aeo);
      $('input.reason', row).value = '';
      showMessage(`${aeo.aeoNumber} is ${aeo.status} (entry #${aeo.sequence}).`, 'ok');
    } catch (e) {
      showError(e);
    }

    await refresh();
  }

  $('#own-aeo tbody').addEventListener('click', event => {
    const button = event.target.closest('button');
    const row = button?.closest('tr[data-aeo]');
    if (!button || !row) {
      return;
    }

    const action = button.classList.contains('suspend') ? 'suspend' : button.classList.contains('reinstate') ? 'reinstate' : null;
    if (action) {
      change(row.dataset.aeo, action, $('input.reason', row).value);
    }
  });

  $('#certify-form').addEventListener('submit', async event => {
    event.preventDefault();
    const form = event.target;
    const data = Object.fromEntries(new FormData(form).entries());
    const body = {
      aeoNumber: data.aeoNumber.trim(),
      name: data.name,
      address: data.address,
      programme: data.programme,
      certifiedOn: data.certifiedOn || null,
      validUntil: data.validUntil || null,
    };
    try {
      const aeo = await api('POST', '/api/aeo-operators', body);
      form.reset();
      setToday(form);
      showMessage(`${aeo.aeoNumber} certified (${aeo.programme}).`, 'ok');
    } catch (e) {
      showError(e);
    }

    await refresh();
  });

  function setToday(form) {
    form.elements.certifiedOn.value = new Date().toISOString().slice(0, 10);
  }

  // ---- shared with us ----

  const SHARED_COLUMNS = ['number', 'status', 'fields', 'withheld', 'signed-at', 'received-at', 'latency'];

  function partnerSection(partner) {
    const container = $('#shared-partners');
    let section = container.querySelector(`section[data-partner="${CSS.escape(partner)}"]`);
    if (section) {
      return section;
    }

    section = element('section', { class: 'partner', 'data-partner': partner });
    const head = element('tr');
    for (const title of ['AEO number', 'Status', 'Disclosed fields', 'Withheld (digests only)', 'Signed by partner', 'Received by us', 'Latency']) {
      head.append(element('th', {}, title));
    }

    const table = element('table', { class: 'shared-aeo' });
    table.append(element('thead'), element('tbody'));
    table.tHead.append(head);
    section.append(
      element('h3', {}, `From ${partner}`),
      table,
      element('p', { class: 'empty' }, `${partner} has shared no AEO operator with us yet.`),
      element('p', { class: 'unavailable', hidden: '' }));
    container.append(section);
    return section;
  }

  function sharedRow(section, partner, id) {
    const body = $('tbody', section);
    let row = body.querySelector(`tr[data-aeo="${CSS.escape(id)}"]`);
    if (row) {
      return row;
    }

    row = element('tr', { 'data-aeo': id, 'data-origin': partner });
    for (const column of SHARED_COLUMNS) {
      row.append(element('td', { class: column }));
    }

    return row;
  }

  function renderShared(partner, result) {
    const section = partnerSection(partner);
    const unavailable = $('p.unavailable', section);
    unavailable.hidden = !result.unavailable;
    setText(unavailable, result.unavailable ? 'Not available: ' + result.unavailable : '');
    if (result.unavailable) {
      return;
    }

    const views = [...result.value].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const body = $('tbody', section);
    const keep = new Set();
    views.forEach((view, index) => {
      const row = sharedRow(section, partner, view.id);
      keep.add(row);
      const status = view.fields.status ?? '(withheld)';
      row.dataset.status = status;
      setText(cell(row, 'number'), view.id);
      setText(cell(row, 'status'), status);
      cell(row, 'status').dataset.status = status;
      setText(cell(row, 'fields'), Object.entries(view.fields)
        .filter(([name]) => name !== 'aeoNumber' && name !== 'status')
        .map(([name, value]) => `${name}: ${value}`)
        .join(' · '));
      setText(cell(row, 'withheld'), view.withheldFields.join(', '));
      setText(cell(row, 'signed-at'), `${time(view.lastEntryAt)} (#${view.sequence} ${view.lastEntryType})`);
      setText(cell(row, 'received-at'), time(view.receivedAt));
      const latency = milliseconds(view.lastEntryAt, view.receivedAt);
      setText(cell(row, 'latency'), latency === null ? '' : `${latency} ms`);
      if (body.children[index] !== row) {
        body.insertBefore(row, body.children[index] ?? null);
      }
    });
    for (const row of [...body.children]) {
      if (!keep.has(row)) {
        row.remove();
      }
    }

    $('p.empty', section).hidden = views.length > 0;
  }

  async function refreshShared() {
    const partners = state.node?.partners ?? [];
    $('#shared-none').hidden = partners.length > 0;
    await Promise.all(partners.map(async partner => {
      renderShared(partner, await meshRead(`shared:${partner}`, `/api/partners/${encodeURIComponent(partner)}/shared?kind=aeo-operator`));
    }));
  }

  // ---- links and alarms ----

  function renderLinks(result) {
    const unavailable = $('#links-unavailable');
    unavailable.hidden = !result.unavailable;
    setText(unavailable, result.unavailable ? 'Not available: ' + result.unavailable : '');
    if (result.unavailable) {
      return;
    }

    const body = $('#links tbody');
    body.replaceChildren(...result.value.map(link => {
      const row = element('tr', { 'data-partner': link.partner, 'data-connected': String(link.connected) });
      const values = [
        link.partner,
        link.connected ? 'yes' : 'no',
        String(link.backlog),
        String(link.acknowledgedThrough),
        time(link.lastAcknowledgedAt),
        `${Math.round(link.lagSeconds * 1000)} ms`,
        String(link.receivedThrough),
        String(link.partnerCheckpointSize),
        link.alarm ? `${link.alarm.kind}: ${link.alarm.message}` : '',
      ];
      for (const value of values) {
        row.append(element('td', {}, value));
      }

      if (link.alarm) {
        row.dataset.alarm = link.alarm.kind;
      }

      return row;
    }));
  }

  function renderAlarms(result) {
    const unavailable = $('#alarms-unavailable');
    unavailable.hidden = !result.unavailable;
    setText(unavailable, result.unavailable ? 'Not available: ' + result.unavailable : '');
    const alarms = result.value ?? [];
    $('#alarms').replaceChildren(...alarms.map(alarm =>
      element('li', { 'data-partner': alarm.partner, 'data-kind': alarm.kind }, `${time(alarm.raisedAt)} ${alarm.partner} ${alarm.kind}: ${alarm.message}`)));
    $('#alarms-empty').hidden = alarms.length > 0 || Boolean(result.unavailable);
  }

  // ---- refresh loop ----

  async function refresh() {
    if (state.refreshing) {
      return;
    }

    state.refreshing = true;
    try {
      renderNode(await api('GET', '/api/node'));
      const [links, alarms] = await Promise.all([
        meshRead('links', '/api/partners'),
        meshRead('alarms', '/api/mesh/alarms'),
        refreshOwn(),
        refreshShared(),
      ]);
      renderLinks(links);
      renderAlarms(alarms);
      setText($('#refreshed'), time(new Date().toISOString()));
      document.body.dataset.ready = 'true';
    } catch (e) {
      showError(e);
    } finally {
      state.refreshing = false;
    }
  }

  setToday($('#certify-form'));
  window.addEventListener('interconnect-signed-in', refresh);
  refresh();
  setInterval(refresh, REFRESH_MS);
})();
