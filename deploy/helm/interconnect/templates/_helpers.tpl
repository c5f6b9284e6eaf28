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
Fails the render on combinations the schema cannot express well, with the value to fix.
*/}}
{{- define "interconnect.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (eq .Values.storage.provider "InMemory") -}}
{{- fail "replicaCount > 1 needs storage.provider AzureTable: in-memory replicas would each be a separate node that forgets on restart" -}}
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
