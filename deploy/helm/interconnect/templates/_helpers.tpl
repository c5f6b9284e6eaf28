{{/* The chart's name, cut to the 63 characters a label value allows. */}}
{{- define "interconnect.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name: the release name, with the chart's unless the release already contains it. */}}
{{- define "interconnect.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "interconnect.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "interconnect.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
interconnect.customs/administration: {{ .Values.node.administrationId | quote }}
{{- end -}}

{{/* Labels that select the node's pods; never change them on an installed release. */}}
{{- define "interconnect.selectorLabels" -}}
app.kubernetes.io/name: {{ include "interconnect.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The service account the pods run as. */}}
{{- define "interconnect.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "interconnect.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The image reference; the tag defaults to the chart's appVersion. */}}
{{- define "interconnect.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Where Secrets are mounted in the container (read-only volumes). */}}
{{- define "interconnect.signingKeyDir" -}}/var/run/secrets/interconnect/signing-key{{- end -}}
{{- define "interconnect.httpsCertificateDir" -}}/var/run/secrets/interconnect/https{{- end -}}
{{- define "interconnect.brokerCaDir" -}}/var/run/secrets/interconnect/broker-ca{{- end -}}

{{- define "interconnect.brokerClientCertificateDir" -}}/var/run/secrets/interconnect/broker-client{{- end -}}

{{/*
The Orleans cluster id: cluster.clusterId, or the administration id in lower case (the node's own
default, made explicit so the node, ORLEANS_CLUSTER_ID and the pod label cannot disagree).
*/}}
{{- define "interconnect.clusterId" -}}
{{- /* default "" first: Sprig's lower refuses a removed (nil) administration id. */ -}}
{{- default (lower (default "" .Values.node.administrationId)) .Values.cluster.clusterId -}}
{{- end -}}

{{/* The pod labels Orleans' Kubernetes hosting selects the cluster's pods by. */}}
{{- define "interconnect.orleansLabels" -}}
orleans/serviceId: {{ .Values.cluster.serviceId | quote }}
orleans/clusterId: {{ include "interconnect.clusterId" . | quote }}
{{- end -}}

{{/*
Fails the render on combinations the node or the cluster cannot run, with the value to fix. The
schema refuses most of them too; these also hold where the schema is not applied.
*/}}
{{- define "interconnect.validate" -}}
{{- $apiPort := int (ternary .Values.containerPorts.https .Values.containerPorts.http .Values.tls.https.enabled) -}}
{{- if and (gt (int .Values.replicaCount) 1) (eq .Values.storage.provider "InMemory") -}}
{{- fail "replicaCount > 1 needs storage.provider AzureTable: in-memory replicas would each be a separate node that forgets on restart" -}}
{{- end -}}
{{- if and (gt (int .Values.replicaCount) 1) (ne .Values.cluster.membership "AzureTable") -}}
{{- fail "replicaCount > 1 needs cluster.membership AzureTable: with Localhost membership each pod would be a cluster of its own, and grains meant to have one activation would have one per pod" -}}
{{- end -}}
{{- if and (eq .Values.cluster.membership "AzureTable") (ne .Values.storage.provider "AzureTable") -}}
{{- fail "cluster.membership AzureTable keeps the membership table in the node's storage account: it needs storage.provider AzureTable" -}}
{{- end -}}
{{- if and .Values.cluster.kubernetes.enabled (ne .Values.cluster.membership "AzureTable") -}}
{{- fail "cluster.kubernetes.enabled needs cluster.membership AzureTable: Orleans' Kubernetes hosting reconciles a membership table with the pods; set it false for a Localhost silo" -}}
{{- end -}}
{{- /* An empty id means no administration id: the ConfigMap's required names that. */ -}}
{{- $clusterId := include "interconnect.clusterId" . -}}
{{- if and $clusterId (not (regexMatch "^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$" $clusterId)) -}}
{{- fail (printf "cluster id %q (cluster.clusterId, or node.administrationId in lower case) must be letters, digits, '-' and '_', at most 63, starting and ending with a letter or digit: set cluster.clusterId" $clusterId) -}}
{{- end -}}
{{- if and (ne (int .Values.cluster.gatewayPort) 0) (eq (int .Values.cluster.gatewayPort) (int .Values.cluster.siloPort)) -}}
{{- fail "cluster.gatewayPort must be 0 (no gateway) or differ from cluster.siloPort" -}}
{{- end -}}
{{- if or (eq (int .Values.cluster.siloPort) $apiPort) (eq (int .Values.cluster.gatewayPort) $apiPort) -}}
{{- fail (printf "cluster.siloPort and cluster.gatewayPort must differ from the API port %d (containerPorts)" $apiPort) -}}
{{- end -}}
{{- if and .Values.cluster.kubernetes.enabled .Values.cluster.kubernetes.rbac.create (eq (include "interconnect.serviceAccountName" .) "default") -}}
{{- fail "cluster.kubernetes.rbac.create would grant the namespace's default service account access to pods: set serviceAccount.create true or name an account in serviceAccount.name" -}}
{{- end -}}
{{- if and .Values.tls.https.enabled (not .Values.tls.https.secretName) -}}
{{- fail "tls.https.secretName is required when tls.https.enabled (a kubernetes.io/tls Secret)" -}}
{{- end -}}
{{- end -}}

{{/*
OTEL_RESOURCE_ATTRIBUTES: who this node is, then the configured extras (sorted). $(K8S_POD_NAME) is
expanded by the kubelet from the variable declared before it.
*/}}
{{- define "interconnect.otelResourceAttributes" -}}
{{- $attributes := list "service.namespace=interconnect" (printf "interconnect.administration=%s" .Values.node.administrationId) (printf "k8s.namespace.name=%s" .Release.Namespace) "k8s.pod.name=$(K8S_POD_NAME)" -}}
{{- range $key := keys .Values.opentelemetry.resourceAttributes | sortAlpha -}}
{{- $attributes = append $attributes (printf "%s=%s" $key (index $.Values.opentelemetry.resourceAttributes $key)) -}}
{{- end -}}
{{- join "," $attributes -}}
{{- end -}}

{{/*
The .NET host's shutdown timeout: the pod's grace period less 30 s, so the silo's graceful stop
(grains handed over, membership left) ends before the kubelet kills the process.
*/}}
{{- define "interconnect.shutdownTimeoutSeconds" -}}
{{- sub (int .Values.terminationGracePeriodSeconds) 30 -}}
{{- end -}}
