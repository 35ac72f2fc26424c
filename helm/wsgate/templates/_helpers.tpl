{{/* The name of every object: fullnameOverride, else <release>-wsgate. */}}
{{- define "wsgate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{ .Values.fullnameOverride }}
{{- else -}}
{{ .Release.Name }}-wsgate
{{- end -}}
{{- end -}}

{{/* Labels that select the pods. */}}
{{- define "wsgate.selectorLabels" -}}
app.kubernetes.io/name: wsgate
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "wsgate.labels" -}}
{{ include "wsgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: wsgate-{{ .Chart.Version }}
{{- end -}}

{{/* The container port the actuator is on. */}}
{{- define "wsgate.managementPortName" -}}
{{- if .Values.managementPort -}}
management
{{- else -}}
http
{{- end -}}
{{- end -}}
