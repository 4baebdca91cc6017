{{/* Object names: release-chart, trimmed to 63 characters minus room for suffixes. */}}
{{- define "odoo-guard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "odoo-guard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "odoo-guard.webhookName" -}}{{ include "odoo-guard.fullname" . }}-webhook{{- end -}}
{{- define "odoo-guard.operatorName" -}}{{ include "odoo-guard.fullname" . }}-operator{{- end -}}
{{- define "odoo-guard.tlsSecretName" -}}
{{- if eq .Values.tls.mode "existingSecret" -}}{{ .Values.tls.existingSecret.name }}{{- else -}}{{ include "odoo-guard.webhookName" . }}-tls{{- end -}}
{{- end -}}
{{- define "odoo-guard.policyConfigMap" -}}{{ include "odoo-guard.fullname" . }}-policy{{- end -}}

{{/* Labels on every object. */}}
{{- define "odoo-guard.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "odoo-guard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: odoo-guard
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component: include with (dict "root" $ "component" "webhook"). */}}
{{- define "odoo-guard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "odoo-guard.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "odoo-guard.componentLabels" -}}
{{ include "odoo-guard.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The image: repository@digest when a digest is set, else repository:tag (appVersion by default). */}}
{{- define "odoo-guard.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "odoo-guard.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ if kindIs "string" . }}{{ . }}{{ else }}{{ .name }}{{ end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The restricted Pod Security Standard, for pods and containers. */}}
{{- define "odoo-guard.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "odoo-guard.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Namespaces the webhook never sees: kube-system, the release's own, and any listed. */}}
{{- define "odoo-guard.excludedNamespaces" -}}
{{- $excluded := list "kube-system" .Release.Namespace -}}
{{- range .Values.webhook.excludedNamespaces }}{{ $excluded = append $excluded . }}{{ end -}}
{{- toJson ($excluded | uniq) -}}
{{- end -}}

{{/*
The generated TLS set, computed once per render and shared by the Secrets and the webhook
configurations (templates render in one process, so .Values carries it between them).
An existing CA and serving certificate (lookup) are kept; the serving certificate is renewed with
the same CA when it expires within tls.renewBeforeDays. Returns the dict as JSON.
*/}}
{{- define "odoo-guard.generatedTLS" -}}
{{- if not (hasKey .Values "__generatedTLS") -}}
{{- $webhook := include "odoo-guard.webhookName" . -}}
{{- $dns := list $webhook (printf "%s.%s" $webhook .Release.Namespace) (printf "%s.%s.svc" $webhook .Release.Namespace) (printf "%s.%s.svc.%s" $webhook .Release.Namespace .Values.clusterDomain) -}}
{{- $caSecret := lookup "v1" "Secret" .Release.Namespace (printf "%s-ca" $webhook) -}}
{{- $tlsSecret := lookup "v1" "Secret" .Release.Namespace (include "odoo-guard.tlsSecretName" .) -}}
{{- $ca := dict -}}
{{- if and $caSecret $caSecret.data (index $caSecret.data "tls.crt") (index $caSecret.data "tls.key") -}}
{{- $ca = buildCustomCert (index $caSecret.data "tls.crt") (index $caSecret.data "tls.key") -}}
{{- else -}}
{{- $ca = genCA (printf "odoo-guard CA %s" $webhook) 3650 -}}
{{- end -}}
{{- $result := dict "caCert" $ca.Cert "caKey" $ca.Key -}}
{{- $keep := false -}}
{{- if and $tlsSecret $tlsSecret.data $tlsSecret.metadata.annotations -}}
{{- $notAfter := index $tlsSecret.metadata.annotations "odooguard.io/not-after" | default "" -}}
{{- $sameCA := eq (index $tlsSecret.data "ca.crt" | default "") (b64enc $ca.Cert) -}}
{{- if and $notAfter $sameCA -}}
{{- $left := sub (toDate "2006-01-02T15:04:05Z07:00" $notAfter | unixEpoch) (now | unixEpoch) -}}
{{- if gt $left (mul .Values.tls.renewBeforeDays 86400) -}}
{{- $keep = true -}}
{{- $_ := set $result "cert" (index $tlsSecret.data "tls.crt" | b64dec) -}}
{{- $_ := set $result "key" (index $tlsSecret.data "tls.key" | b64dec) -}}
{{- $_ := set $result "notAfter" $notAfter -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if not $keep -}}
{{- $leaf := genSignedCert $webhook nil $dns 365 $ca -}}
{{- $_ := set $result "cert" $leaf.Cert -}}
{{- $_ := set $result "key" $leaf.Key -}}
{{- $_ := set $result "notAfter" (now | dateModify "+8760h" | date "2006-01-02T15:04:05Z07:00") -}}
{{- end -}}
{{- $_ := set .Values "__generatedTLS" $result -}}
{{- end -}}
{{- toJson (get .Values "__generatedTLS") -}}
{{- end -}}

{{/* The caBundle for the webhook configurations in generated and existingSecret modes. */}}
{{- define "odoo-guard.caBundle" -}}
{{- if eq .Values.tls.mode "generated" -}}
{{- (include "odoo-guard.generatedTLS" . | fromJson).caCert | b64enc -}}
{{- else if eq .Values.tls.mode "existingSecret" -}}
{{- .Values.tls.existingSecret.caBundle -}}
{{- end -}}
{{- end -}}

{{/* Refuses contradictory values with a message naming them. */}}
{{- define "odoo-guard.validate" -}}
{{- $w := .Values.webhook -}}
{{- if and (not $w.enabled) $w.mutating.enabled $w.validating.enabled -}}
{{- fail "webhook.enabled=false contradicts webhook.mutating.enabled=true and webhook.validating.enabled=true: either keep the webhook, or set both to false (operator only)" -}}
{{- end -}}
{{- if and (not $w.enabled) (or $w.mutating.enabled $w.validating.enabled) -}}
{{- fail (printf "webhook.enabled=false but webhook.%s.enabled=true: a webhook configuration without the webhook would send every admission to a missing Service; set it to false too" (ternary "mutating" "validating" $w.mutating.enabled)) -}}
{{- end -}}
{{- if and $w.enabled $w.validating.enabled (not $w.mutating.enabled) -}}
{{- fail "webhook.validating.enabled=true requires webhook.mutating.enabled=true: validation judges objects as mutated (resource defaults, injected credentials) and would deny every object the mutating webhook did not see" -}}
{{- end -}}
{{- if and $w.enabled $w.audit.keySecret.name (not $w.audit.enabled) -}}
{{- fail "webhook.audit.keySecret.name is set but webhook.audit.enabled=false: the key signs the audit chain; enable audit or remove it" -}}
{{- end -}}
{{- if and $w.enabled $w.audit.enabled (not $w.audit.dsnSecret.name) -}}
{{- fail "webhook.audit.enabled=true needs webhook.audit.dsnSecret.name: the Secret holding the PostgreSQL DSN" -}}
{{- end -}}
{{- if and .Values.operator.enabled (gt (int .Values.operator.replicas) 1) (not .Values.operator.leaderElection.enabled) -}}
{{- fail (printf "operator.replicas=%d with operator.leaderElection.enabled=false: replicas would reconcile the same environments at once; enable leader election or use one replica" (int .Values.operator.replicas)) -}}
{{- end -}}
{{- if and $w.enabled (eq .Values.tls.mode "existingSecret") (or (not .Values.tls.existingSecret.name) (not .Values.tls.existingSecret.caBundle)) -}}
{{- fail "tls.mode=existingSecret needs tls.existingSecret.name (a Secret with tls.crt, tls.key and ca.crt) and tls.existingSecret.caBundle (base64 PEM; guardctl certs generate writes it to caBundle)" -}}
{{- end -}}
{{- if and $w.enabled (ne .Values.tls.mode "existingSecret") (or .Values.tls.existingSecret.name .Values.tls.existingSecret.caBundle) -}}
{{- fail (printf "tls.existingSecret is set but tls.mode is %s: set tls.mode=existingSecret to use it, or remove it" .Values.tls.mode) -}}
{{- end -}}
{{- if and (not $w.enabled) (not .Values.operator.enabled) -}}
{{- fail "webhook.enabled=false and operator.enabled=false: the release would install nothing but CRDs" -}}
{{- end -}}
{{- end -}}

{{- /*
The default GuardPolicy as the release installs it: the chart's file, with platformAdmins extended by
the values and by the operator's service account (its writes of a namespace's stage, tier and Pod
Security labels must pass the namespace guard). YAML of the whole object.
*/ -}}
{{- define "odoo-guard.policy" -}}
{{- $policy := .Files.Get "files/guardpolicy-default.yaml" | fromYaml }}
{{- $admins := $policy.spec.platformAdmins | default dict }}
{{- $groups := concat ($admins.groups | default list) .Values.platformAdmins.groups | uniq }}
{{- $users := concat ($admins.users | default list) .Values.platformAdmins.users }}
{{- if .Values.operator.enabled }}
{{- $users = append $users (printf "system:serviceaccount:%s:%s" .Release.Namespace (include "odoo-guard.operatorName" .)) }}
{{- end }}
{{- $_ := set $policy.spec "platformAdmins" (dict "groups" $groups "users" ($users | uniq)) }}
{{- if .Values.placement }}
{{- $_ := set $policy.spec "placement" .Values.placement }}
{{- end }}
{{- toYaml $policy }}
{{- end -}}
