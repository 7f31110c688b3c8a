//! The Go types the decoder checks Pod and apps/v1 bodies against (`k8s.io/api/core/v1`,
//! `k8s.io/api/apps/v1`, `metav1`), limited to the fields admission reads. Used by `decode.rs`.

/// A JSON shape the Go decoder expects.
pub(crate) enum Ty {
    Str,
    I32,
    I64,
    Bool,
    /// `map[string]string`.
    StrMap,
    /// `intstr.IntOrString`: a JSON string or an int32.
    IntOrStr,
    /// `[]string`.
    StrList,
    /// `v1.ResourceList`: quantities as strings or numbers.
    QuantityMap,
    Struct(&'static Struct),
    List(&'static Struct),
}

/// A Go struct: its type name (`Container`), its package-qualified name (`v1.Container`) and
/// the fields admission reads.
pub(crate) struct Struct {
    pub name: &'static str,
    pub go: &'static str,
    pub fields: &'static [(&'static str, Ty)],
}

static OBJECT_META: Struct = Struct {
    name: "ObjectMeta",
    go: "v1.ObjectMeta",
    fields: &[("labels", Ty::StrMap), ("annotations", Ty::StrMap)],
};

static CONTAINER_PORT: Struct = Struct {
    name: "ContainerPort",
    go: "v1.ContainerPort",
    fields: &[
        ("name", Ty::Str),
        ("containerPort", Ty::I32),
        ("hostPort", Ty::I32),
        ("protocol", Ty::Str),
        ("hostIP", Ty::Str),
    ],
};

static EXEC_ACTION: Struct = Struct {
    name: "ExecAction",
    go: "v1.ExecAction",
    fields: &[("command", Ty::StrList)],
};

static HTTP_GET_ACTION: Struct = Struct {
    name: "HTTPGetAction",
    go: "v1.HTTPGetAction",
    fields: &[
        ("path", Ty::Str),
        ("port", Ty::IntOrStr),
        ("host", Ty::Str),
        ("scheme", Ty::Str),
    ],
};

static TCP_SOCKET_ACTION: Struct = Struct {
    name: "TCPSocketAction",
    go: "v1.TCPSocketAction",
    fields: &[("port", Ty::IntOrStr), ("host", Ty::Str)],
};

static GRPC_ACTION: Struct = Struct {
    name: "GRPCAction",
    go: "v1.GRPCAction",
    fields: &[("port", Ty::I32), ("service", Ty::Str)],
};

static PROBE: Struct = Struct {
    name: "Probe",
    go: "v1.Probe",
    fields: &[
        ("exec", Ty::Struct(&EXEC_ACTION)),
        ("httpGet", Ty::Struct(&HTTP_GET_ACTION)),
        ("tcpSocket", Ty::Struct(&TCP_SOCKET_ACTION)),
        ("grpc", Ty::Struct(&GRPC_ACTION)),
        ("initialDelaySeconds", Ty::I32),
        ("timeoutSeconds", Ty::I32),
        ("periodSeconds", Ty::I32),
        ("successThreshold", Ty::I32),
        ("failureThreshold", Ty::I32),
        ("terminationGracePeriodSeconds", Ty::I64),
    ],
};

static RESOURCES: Struct = Struct {
    name: "ResourceRequirements",
    go: "v1.ResourceRequirements",
    fields: &[("limits", Ty::QuantityMap), ("requests", Ty::QuantityMap)],
};

static VOLUME: Struct = Struct {
    name: "Volume",
    go: "v1.Volume",
    fields: &[("name", Ty::Str)],
};

static VOLUME_MOUNT: Struct = Struct {
    name: "VolumeMount",
    go: "v1.VolumeMount",
    fields: &[
        ("name", Ty::Str),
        ("mountPath", Ty::Str),
        ("readOnly", Ty::Bool),
    ],
};

static KEY_SELECTOR: Struct = Struct {
    name: "KeySelector",
    go: "v1.KeySelector",
    fields: &[("name", Ty::Str), ("key", Ty::Str), ("optional", Ty::Bool)],
};

static ENV_VAR_SOURCE: Struct = Struct {
    name: "EnvVarSource",
    go: "v1.EnvVarSource",
    fields: &[
        ("configMapKeyRef", Ty::Struct(&KEY_SELECTOR)),
        ("secretKeyRef", Ty::Struct(&KEY_SELECTOR)),
    ],
};

static ENV_VAR: Struct = Struct {
    name: "EnvVar",
    go: "v1.EnvVar",
    fields: &[
        ("name", Ty::Str),
        ("value", Ty::Str),
        ("valueFrom", Ty::Struct(&ENV_VAR_SOURCE)),
    ],
};

static CONTAINER: Struct = Struct {
    name: "Container",
    go: "v1.Container",
    fields: &[
        ("name", Ty::Str),
        ("image", Ty::Str),
        ("command", Ty::StrList),
        ("args", Ty::StrList),
        ("ports", Ty::List(&CONTAINER_PORT)),
        ("env", Ty::List(&ENV_VAR)),
        ("resources", Ty::Struct(&RESOURCES)),
        ("livenessProbe", Ty::Struct(&PROBE)),
        ("readinessProbe", Ty::Struct(&PROBE)),
        ("startupProbe", Ty::Struct(&PROBE)),
        ("terminationMessagePath", Ty::Str),
        ("terminationMessagePolicy", Ty::Str),
        ("imagePullPolicy", Ty::Str),
        ("volumeMounts", Ty::List(&VOLUME_MOUNT)),
        ("restartPolicy", Ty::Str),
    ],
};

static TOLERATION: Struct = Struct {
    name: "Toleration",
    go: "v1.Toleration",
    fields: &[
        ("key", Ty::Str),
        ("operator", Ty::Str),
        ("value", Ty::Str),
        ("effect", Ty::Str),
        ("tolerationSeconds", Ty::I64),
    ],
};

static DNS_CONFIG: Struct = Struct {
    name: "PodDNSConfig",
    go: "v1.PodDNSConfig",
    fields: &[("nameservers", Ty::StrList), ("searches", Ty::StrList)],
};

pub(crate) static POD_SPEC: Struct = Struct {
    name: "PodSpec",
    go: "v1.PodSpec",
    fields: &[
        ("containers", Ty::List(&CONTAINER)),
        ("initContainers", Ty::List(&CONTAINER)),
        ("restartPolicy", Ty::Str),
        ("terminationGracePeriodSeconds", Ty::I64),
        ("activeDeadlineSeconds", Ty::I64),
        ("dnsPolicy", Ty::Str),
        ("dnsConfig", Ty::Struct(&DNS_CONFIG)),
        ("nodeSelector", Ty::StrMap),
        ("serviceAccountName", Ty::Str),
        ("serviceAccount", Ty::Str),
        ("nodeName", Ty::Str),
        ("hostNetwork", Ty::Bool),
        ("hostname", Ty::Str),
        ("subdomain", Ty::Str),
        ("schedulerName", Ty::Str),
        ("tolerations", Ty::List(&TOLERATION)),
        ("priorityClassName", Ty::Str),
        ("priority", Ty::I32),
        ("preemptionPolicy", Ty::Str),
        ("enableServiceLinks", Ty::Bool),
        ("automountServiceAccountToken", Ty::Bool),
        ("volumes", Ty::List(&VOLUME)),
    ],
};

static POD_TEMPLATE_SPEC: Struct = Struct {
    name: "PodTemplateSpec",
    go: "v1.PodTemplateSpec",
    fields: &[
        ("metadata", Ty::Struct(&OBJECT_META)),
        ("spec", Ty::Struct(&POD_SPEC)),
    ],
};

pub(crate) static POD: Struct = Struct {
    name: "Pod",
    go: "v1.Pod",
    fields: &[
        ("metadata", Ty::Struct(&OBJECT_META)),
        ("spec", Ty::Struct(&POD_SPEC)),
    ],
};

static LABEL_SELECTOR_REQUIREMENT: Struct = Struct {
    name: "LabelSelectorRequirement",
    go: "v1.LabelSelectorRequirement",
    fields: &[
        ("key", Ty::Str),
        ("operator", Ty::Str),
        ("values", Ty::StrList),
    ],
};

static LABEL_SELECTOR: Struct = Struct {
    name: "LabelSelector",
    go: "v1.LabelSelector",
    fields: &[
        ("matchLabels", Ty::StrMap),
        ("matchExpressions", Ty::List(&LABEL_SELECTOR_REQUIREMENT)),
    ],
};

static ROLLING_UPDATE_DEPLOYMENT: Struct = Struct {
    name: "RollingUpdateDeployment",
    go: "v1.RollingUpdateDeployment",
    fields: &[("maxUnavailable", Ty::IntOrStr), ("maxSurge", Ty::IntOrStr)],
};

static DEPLOYMENT_STRATEGY: Struct = Struct {
    name: "DeploymentStrategy",
    go: "v1.DeploymentStrategy",
    fields: &[
        ("type", Ty::Str),
        ("rollingUpdate", Ty::Struct(&ROLLING_UPDATE_DEPLOYMENT)),
    ],
};

static DEPLOYMENT_SPEC: Struct = Struct {
    name: "DeploymentSpec",
    go: "v1.DeploymentSpec",
    fields: &[
        ("replicas", Ty::I32),
        ("selector", Ty::Struct(&LABEL_SELECTOR)),
        ("template", Ty::Struct(&POD_TEMPLATE_SPEC)),
        ("strategy", Ty::Struct(&DEPLOYMENT_STRATEGY)),
        ("minReadySeconds", Ty::I32),
        ("revisionHistoryLimit", Ty::I32),
        ("paused", Ty::Bool),
        ("progressDeadlineSeconds", Ty::I32),
    ],
};

pub(crate) static DEPLOYMENT: Struct = Struct {
    name: "Deployment",
    go: "v1.Deployment",
    fields: &[
        ("metadata", Ty::Struct(&OBJECT_META)),
        ("spec", Ty::Struct(&DEPLOYMENT_SPEC)),
    ],
};

static REPLICA_SET_SPEC: Struct = Struct {
    name: "ReplicaSetSpec",
    go: "v1.ReplicaSetSpec",
    fields: &[
        ("replicas", Ty::I32),
        ("minReadySeconds", Ty::I32),
        ("selector", Ty::Struct(&LABEL_SELECTOR)),
        ("template", Ty::Struct(&POD_TEMPLATE_SPEC)),
    ],
};

pub(crate) static REPLICA_SET: Struct = Struct {
    name: "ReplicaSet",
    go: "v1.ReplicaSet",
    fields: &[
        ("metadata", Ty::Struct(&OBJECT_META)),
        ("spec", Ty::Struct(&REPLICA_SET_SPEC)),
    ],
};

static ROLLING_UPDATE_STATEFUL_SET: Struct = Struct {
    name: "RollingUpdateStatefulSetStrategy",
    go: "v1.RollingUpdateStatefulSetStrategy",
    fields: &[("partition", Ty::I32), ("maxUnavailable", Ty::IntOrStr)],
};

static STATEFUL_SET_UPDATE_STRATEGY: Struct = Struct {
    name: "StatefulSetUpdateStrategy",
    go: "v1.StatefulSetUpdateStrategy",
    fields: &[
        ("type", Ty::Str),
        ("rollingUpdate", Ty::Struct(&ROLLING_UPDATE_STATEFUL_SET)),
    ],
};

static PVC_RETENTION: Struct = Struct {
    name: "StatefulSetPersistentVolumeClaimRetentionPolicy",
    go: "v1.StatefulSetPersistentVolumeClaimRetentionPolicy",
    fields: &[("whenDeleted", Ty::Str), ("whenScaled", Ty::Str)],
};

static STATEFUL_SET_SPEC: Struct = Struct {
    name: "StatefulSetSpec",
    go: "v1.StatefulSetSpec",
    fields: &[
        ("replicas", Ty::I32),
        ("selector", Ty::Struct(&LABEL_SELECTOR)),
        ("template", Ty::Struct(&POD_TEMPLATE_SPEC)),
        ("serviceName", Ty::Str),
        ("podManagementPolicy", Ty::Str),
        ("updateStrategy", Ty::Struct(&STATEFUL_SET_UPDATE_STRATEGY)),
        ("revisionHistoryLimit", Ty::I32),
        ("minReadySeconds", Ty::I32),
        (
            "persistentVolumeClaimRetentionPolicy",
            Ty::Struct(&PVC_RETENTION),
        ),
    ],
};

pub(crate) static STATEFUL_SET: Struct = Struct {
    name: "StatefulSet",
    go: "v1.StatefulSet",
    fields: &[
        ("metadata", Ty::Struct(&OBJECT_META)),
        ("spec", Ty::Struct(&STATEFUL_SET_SPEC)),
    ],
};
