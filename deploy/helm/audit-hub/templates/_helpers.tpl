{{/*
The chart name, truncated to the 63 characters Kubernetes names allow.
*/}}
{{- define "audit-hub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The fully qualified app name: the release name, plus the chart name unless the release name already
contains it.
*/}}
{{- define "audit-hub.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "audit-hub.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "audit-hub.labels" -}}
helm.sh/chart: {{ include "audit-hub.chart" . }}
{{ include "audit-hub.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels (every role; a role's own selector adds app.kubernetes.io/component).
*/}}
{{- define "audit-hub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "audit-hub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The image reference.
*/}}
{{- define "audit-hub.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
The Secret whose keys become every container's environment; required, never created by the chart.
*/}}
{{- define "audit-hub.secretName" -}}
{{- required "secrets.existingSecret must name a Secret holding AUDIT_HUB_DB_PASSWORD and every other ${env:...} the config reads" .Values.secrets.existingSecret }}
{{- end }}

{{/*
The config file's text (values.config as YAML).
*/}}
{{- define "audit-hub.configYaml" -}}
{{- toYaml .Values.config }}
{{- end }}

{{/*
The pod spec shared by every role and the migration Job. Call with
(dict "root" $ "role" "api" "args" (list ...) "resources" ... "probes" true).
*/}}
{{- define "audit-hub.podSpec" -}}
{{- $root := .root }}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if $root.Values.serviceAccountName }}
serviceAccountName: {{ $root.Values.serviceAccountName }}
{{- end }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
containers:
  - name: {{ .role }}
    image: {{ include "audit-hub.image" $root }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    args:
      {{- toYaml .args | nindent 6 }}
    env:
      - name: AUDIT_HUB_CONFIG
        value: /config/audit-hub.yaml
      - name: PORT
        value: {{ $root.Values.containerPort | quote }}
      {{- with .env }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
      {{- with $root.Values.extraEnv }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    envFrom:
      - secretRef:
          name: {{ include "audit-hub.secretName" $root }}
    {{- if .probes }}
    ports:
      - name: http
        containerPort: {{ $root.Values.containerPort }}
        protocol: TCP
    startupProbe:
      httpGet:
        path: /health/live
        port: http
      {{- toYaml $root.Values.probes.startup | nindent 6 }}
    livenessProbe:
      httpGet:
        path: /health/live
        port: http
      {{- toYaml $root.Values.probes.liveness | nindent 6 }}
    readinessProbe:
      httpGet:
        path: /health/ready
        port: http
      {{- toYaml $root.Values.probes.readiness | nindent 6 }}
    {{- end }}
    resources:
      {{- toYaml .resources | nindent 6 }}
    securityContext:
      {{- toYaml $root.Values.securityContext | nindent 6 }}
    volumeMounts:
      - name: config
        mountPath: /config
        readOnly: true
      - name: data
        mountPath: /app/data
      - name: tmp
        mountPath: /tmp
      {{- with $root.Values.extraVolumeMounts }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
volumes:
  - name: config
    configMap:
      name: {{ .configMap }}
  - name: data
    emptyDir: {}
  - name: tmp
    emptyDir: {}
  {{- with $root.Values.extraVolumes }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}

{{/*
A role's Deployment. Call with
(dict "root" $ "role" "worker" "replicas" N "resources" ... "scheduling" ... "grace" N "env" (list ...)).
*/}}
{{- define "audit-hub.deployment" -}}
{{- $root := .root }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "audit-hub.fullname" $root }}-{{ .role }}
  labels:
    {{- include "audit-hub.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .role }}
spec:
  replicas: {{ .replicas }}
  selector:
    matchLabels:
      {{- include "audit-hub.selectorLabels" $root | nindent 6 }}
      app.kubernetes.io/component: {{ .role }}
  template:
    metadata:
      annotations:
        # Roll the pods when the config changes.
        checksum/config: {{ include "audit-hub.configYaml" $root | sha256sum }}
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      labels:
        {{- include "audit-hub.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .role }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      terminationGracePeriodSeconds: {{ .scheduling.terminationGracePeriodSeconds }}
      {{- with .scheduling.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .scheduling.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .scheduling.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- $args := list "serve" "--role" .role "--port" (toString $root.Values.containerPort) }}
      {{- $pod := dict "root" $root "role" .role "args" $args "resources" .scheduling.resources "env" .env "probes" true "configMap" (include "audit-hub.fullname" $root) }}
      {{- include "audit-hub.podSpec" $pod | nindent 6 }}
{{- end }}
