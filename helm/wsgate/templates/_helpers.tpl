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

{{/* The Service of the management port (actuator): for Prometheus and operators, never the Ingress. */}}
{{- define "wsgate.managementName" -}}
{{ include "wsgate.fullname" . }}-management
{{- end -}}

{{/* The ServiceAccount of the pods. */}}
{{- define "wsgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ .Values.serviceAccount.name | default (include "wsgate.fullname" .) }}
{{- else -}}
{{ .Values.serviceAccount.name | default "default" }}
{{- end -}}
{{- end -}}

{{/* Whether the chart makes the management password: no password, Secret or wsgate.admin.users is given. */}}
{{- define "wsgate.generatesPassword" -}}
{{- if not (or .Values.management.password .Values.management.existingSecret (dig "wsgate" "admin" "users" nil .Values.secretConfig)) -}}
true
{{- end -}}
{{- end -}}

{{/* Whether the chart sets spring.security.user (the management user) from management.*. */}}
{{- define "wsgate.setsUser" -}}
{{- if or .Values.management.password .Values.management.existingSecret (include "wsgate.generatesPassword" .) -}}
true
{{- end -}}
{{- end -}}

{{/*
The route store the pods use: redis with redis.enabled, else config's wsgate.routes.store
(the gateway's default: file, in each pod's own emptyDir).
*/}}
{{- define "wsgate.routeStore" -}}
{{- if .Values.redis.enabled -}}
redis
{{- else -}}
{{ dig "wsgate" "routes" "store" "file" .Values.config }}
{{- end -}}
{{- end -}}

{{/*
Refuses several pods on a per-pod route store: routes created at runtime through the actuator
would live on the pod that took the request only, so the replicas would serve different routes.
*/}}
{{- define "wsgate.checkRouteStore" -}}
{{- $pods := or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) -}}
{{- if and $pods (ne (include "wsgate.routeStore" .) "redis") (not .Values.routes.acknowledgePerPodStore) -}}
{{- fail (printf "more than one pod (replicaCount %v, autoscaling.enabled %v) with the %s route store: routes created at runtime would differ from pod to pod. Set redis.enabled (a store the pods share), or replicaCount 1, or routes.acknowledgePerPodStore true if your routes come from config only" .Values.replicaCount .Values.autoscaling.enabled (include "wsgate.routeStore" .)) -}}
{{- end -}}
{{- end -}}

{{/* The Prometheus label matchers of this release's series (the ServiceMonitor's job is the management Service). */}}
{{- define "wsgate.series" -}}
job="{{ include "wsgate.managementName" . }}",namespace="{{ .Release.Namespace }}"
{{- end -}}
