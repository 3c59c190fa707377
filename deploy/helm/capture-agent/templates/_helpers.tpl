{{/* Names and labels, as `helm create` lays them out. */}}
{{- define "capture-agent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "capture-agent.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "capture-agent.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "capture-agent.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "capture-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "capture-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "capture-agent.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "capture-agent.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "capture-agent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "capture-agent.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "capture-agent.configMapName" -}}
{{- default (include "capture-agent.fullname" .) .Values.existingConfigMap }}
{{- end }}

{{- define "capture-agent.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The metrics port comes from the agent's own config (daemon.metrics.listen, "host:port" or ":port"). */}}
{{- define "capture-agent.metricsPort" -}}
{{- $listen := ":9091" }}
{{- with .Values.config.daemon }}{{ with .metrics }}{{ with .listen }}{{ $listen = . }}{{ end }}{{ end }}{{ end }}
{{- splitList ":" (toString $listen) | last | int }}
{{- end }}

{{- define "capture-agent.capabilities" -}}
{{- $caps := list "NET_RAW" "NET_ADMIN" }}
{{- if .Values.ebpf.enabled }}{{ $caps = concat $caps (list "BPF" "PERFMON") }}{{ end }}
{{- concat $caps .Values.extraCapabilities | uniq | toJson }}
{{- end }}

{{/* The pod, shared by the DaemonSet and the single-node Deployment. */}}
{{- define "capture-agent.podTemplate" -}}
metadata:
  labels:
    {{- include "capture-agent.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "capture-agent.serviceAccountName" . }}
  hostNetwork: {{ .Values.hostNetwork }}
  {{- if .Values.hostNetwork }}
  # hostNetwork pods resolve cluster names (kafka.kafka.svc.cluster.local) only with this policy.
  dnsPolicy: ClusterFirstWithHostNet
  {{- end }}
  hostPID: {{ .Values.hostPID }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    runAsNonRoot: {{ not .Values.ebpf.enabled }}
    runAsUser: {{ if .Values.ebpf.enabled }}0{{ else }}{{ .Values.runAsUser }}{{ end }}
    runAsGroup: {{ .Values.runAsGroup }}
    seccompProfile:
      type: RuntimeDefault
  {{- if and .Values.persistence.fixPermissions (not .Values.ebpf.enabled) }}
  initContainers:
    # The hostPath data directory is created root-owned; hand it to the agent's user (CHOWN only, no recursion).
    - name: data-dir-owner
      image: {{ include "capture-agent.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      command: [chown, "{{ .Values.runAsUser }}:{{ .Values.runAsGroup }}", /var/lib/capture-agent]
      securityContext:
        runAsUser: 0
        runAsNonRoot: false
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
          add: [CHOWN]
      resources:
        requests: { cpu: 10m, memory: 16Mi }
        limits: { cpu: 100m, memory: 32Mi }
      volumeMounts:
        - name: data
          mountPath: /var/lib/capture-agent
  {{- end }}
  containers:
    - name: capture-agent
      image: {{ include "capture-agent.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args: [daemon, -c, /etc/capture-agent/config.yml]
      env:
        # Kafka commands target agents by node name.
        - name: CAPTURE_AGENT_GLOBAL_HOSTNAME
          valueFrom:
            fieldRef:
              fieldPath: spec.nodeName
        - name: NODE_NAME
          valueFrom:
            fieldRef:
              fieldPath: spec.nodeName
        - name: POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        - name: metrics
          containerPort: {{ include "capture-agent.metricsPort" . }}
          protocol: TCP
      startupProbe:
        httpGet: { path: /healthz, port: metrics }
        {{- toYaml .Values.probes.startup | nindent 8 }}
      livenessProbe:
        httpGet: { path: /healthz, port: metrics }
        {{- toYaml .Values.probes.liveness | nindent 8 }}
      readinessProbe:
        httpGet: { path: /readyz, port: metrics }
        {{- toYaml .Values.probes.readiness | nindent 8 }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        privileged: false
        # File capabilities on the image's deno need it: no_new_privs would drop them at exec.
        allowPrivilegeEscalation: true
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
          add: {{ include "capture-agent.capabilities" . }}
      volumeMounts:
        - name: config
          mountPath: /etc/capture-agent
          readOnly: true
        - name: data
          mountPath: /var/lib/capture-agent
        - name: logs
          mountPath: /var/log/capture-agent
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: config
      configMap:
        name: {{ include "capture-agent.configMapName" . }}
    - name: data
      hostPath:
        path: {{ .Values.persistence.hostPath }}
        type: DirectoryOrCreate
    - name: logs
      emptyDir:
        sizeLimit: 1Gi
    # Control socket, pid file and Deno's cache.
    - name: tmp
      emptyDir:
        sizeLimit: 256Mi
{{- end }}
