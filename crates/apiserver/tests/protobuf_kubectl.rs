//! Protobuf bodies recorded from the real kubectl v1.32.4 (`kubectl create …` against a logging
//! server) decode to the JSON the same commands send as JSON (recorded from kubectl v1.31.9,
//! which still sent JSON): KUBECTL-CONTRACT §5.
//!
//! One deliberate difference from the v1.31 JSON: `metadata.creationTimestamp: null` is absent.
//! v1.35's `ObjectMeta` tags it `omitempty,omitzero`, so Go (and this decoder, which follows
//! the v1.35 types the simulated server reports) leaves the zero time out.

use kubedrill_apiserver::protobuf;
use serde_json::Value;

struct Fixture {
    protobuf: &'static str,
    json: &'static str,
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("fixture is hex"))
        .collect()
}

fn check(f: &Fixture) {
    let got = protobuf::decode(&hex(f.protobuf)).expect("kubectl's body decodes");
    let want: Value = serde_json::from_str(f.json).expect("fixture is JSON");
    assert_eq!(got, want, "\n got: {got}\nwant: {want}");
}

/// `kubectl create deployment web --image=nginx --replicas=3`
const CREATE_DEPLOYMENT_WEB: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412ab010a1f0a0377656212001a0022002a00320038",
        "0042005a0a0a036170701203776562127a0803120c0a0a0a0361707012037765621a600a1c0a0012001a0022002a0032",
        "00380042005a0a0a036170701203776562124012220a056e67696e7812056e67696e782a0042006a0072008001008801",
        "00900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c080010",
        "0018002000280038001a002200",
    ),
    json: r#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}}]}},"strategy":{}},"status":{}}"#,
};

/// `kubectl create service nodeport web --tcp=80:8080 --node-port=30080`
const CREATE_SERVICE_NODEPORT: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a0d0a027631120753657276696365126a0a1f0a0377656212001a0022002a003200380042005a0a0a036170",
        "70120377656212430a1d0a0738302d38303830120354435018502207080010903f1a002880eb01120a0a036170701203",
        "7765621a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200",
    ),
    json: r#"{"kind":"Service","apiVersion":"v1","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080,"nodePort":30080}],"selector":{"app":"web"},"type":"NodePort"},"status":{"loadBalancer":{}}}"#,
};

/// `kubectl create service clusterip my-cs --tcp=5678:8080`
const CREATE_SERVICE_CLUSTERIP: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a0d0a02763112075365727669636512720a230a056d792d637312001a0022002a003200380042005a0c0a03",
        "61707012056d792d637312470a1e0a09353637382d38303830120354435018ae2c2207080010903f1a002800120c0a03",
        "61707012056d792d63731a002209436c757374657249503a00420052005a00600068001a020a001a002200",
    ),
    json: r#"{"kind":"Service","apiVersion":"v1","metadata":{"name":"my-cs","labels":{"app":"my-cs"}},"spec":{"ports":[{"name":"5678-8080","protocol":"TCP","port":5678,"targetPort":8080}],"selector":{"app":"my-cs"},"type":"ClusterIP"},"status":{"loadBalancer":{}}}"#,
};

/// `kubectl create service loadbalancer lb --tcp=443:8443,80`
const CREATE_SERVICE_LOADBALANCER: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a0d0a0276311207536572766963651282010a1d0a026c6212001a0022002a003200380042005a090a036170",
        "7012026c62125d0a1d0a083434332d38343433120354435018bb032207080010fb411a0028000a150a02383012035443",
        "5018502206080010501a00280012090a0361707012026c621a00220c4c6f616442616c616e6365723a00420052005a00",
        "600068001a020a001a002200",
    ),
    json: r#"{"kind":"Service","apiVersion":"v1","metadata":{"name":"lb","labels":{"app":"lb"}},"spec":{"ports":[{"name":"443-8443","protocol":"TCP","port":443,"targetPort":8443},{"name":"80","protocol":"TCP","port":80,"targetPort":80}],"selector":{"app":"lb"},"type":"LoadBalancer"},"status":{"loadBalancer":{}}}"#,
};

/// `kubectl create service externalname ext --external-name=example.com`
const CREATE_SERVICE_EXTERNALNAME: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a0d0a027631120753657276696365125a0a1f0a0365787412001a0022002a003200380042005a0a0a036170",
        "7012036578741233120a0a0361707012036578741a00220c45787465726e616c4e616d653a004200520b6578616d706c",
        "652e636f6d5a00600068001a020a001a002200",
    ),
    json: r#"{"kind":"Service","apiVersion":"v1","metadata":{"name":"ext","labels":{"app":"ext"}},"spec":{"selector":{"app":"ext"},"type":"ExternalName","externalName":"example.com"},"status":{"loadBalancer":{}}}"#,
};

/// `kubectl create namespace team-a`
const CREATE_NAMESPACE: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a0f0a02763112094e616d657370616365121e0a160a067465616d2d6112001a0022002a0032003800420012",
        "001a020a001a002200",
    ),
    json: r#"{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"team-a"},"spec":{},"status":{}}"#,
};

/// `kubectl create configmap cfg --from-literal=a=1 --from-literal=b=two -n team-a`
const CREATE_CONFIGMAP: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a0f0a0276311209436f6e6669674d6170122d0a190a0363666712001a067465616d2d6122002a0032003800",
        "420012060a016112013112080a0162120374776f1a002200",
    ),
    json: r#"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cfg","namespace":"team-a"},"data":{"a":"1","b":"two"}}"#,
};

/// `kubectl create secret generic s1 --from-literal=password=hunter2`
const CREATE_SECRET_GENERIC: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a0c0a0276311206536563726574122b0a120a02733112001a0022002a0032003800420012130a0870617373",
        "776f7264120768756e746572321a001a002200",
    ),
    json: r#"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s1"},"data":{"password":"aHVudGVyMg=="}}"#,
};

/// `kubectl create serviceaccount sa1`
const CREATE_SERVICEACCOUNT: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a140a027631120e536572766963654163636f756e7412150a130a0373613112001a0022002a003200380042",
        "001a002200",
    ),
    json: r#"{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"sa1"}}"#,
};

/// `kubectl create ingress web --rule=example.com/api*=web:80 --rule=foo.com/=svc2:http,tls=my-cert --class=nginx`
const CREATE_INGRESS: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e67726573731297010a130a0377656212",
        "001a0022002a00320038004200127c12120a07666f6f2e636f6d12076d792d636572741a300a0b6578616d706c652e63",
        "6f6d12210a1f0a1d0a042f617069120d220b0a0377656212040a0010501a065072656669781a2d0a07666f6f2e636f6d",
        "12220a200a1e0a012f121222100a047376633212080a046874747010001a05457861637422056e67696e781a020a001a",
        "002200",
    ),
    json: r#"{"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"name":"web"},"spec":{"ingressClassName":"nginx","tls":[{"hosts":["foo.com"],"secretName":"my-cert"}],"rules":[{"host":"example.com","http":{"paths":[{"path":"/api","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}},{"host":"foo.com","http":{"paths":[{"path":"/","pathType":"Exact","backend":{"service":{"name":"svc2","port":{"name":"http"}}}}]}}]},"status":{"loadBalancer":{}}}"#,
};

/// `kubectl create job j1 --image=busybox -- echo hi`
const CREATE_JOB: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a0f0a0862617463682f763112034a6f621284010a120a026a3112001a0022002a0032003800420012643262",
        "0a100a0012001a0022002a00320038004200124e122b0a026a31120762757379626f781a046563686f1a0268692a0042",
        "006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c2",
        "01001a082000280030003a001a002200",
    ),
    json: r#"{"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"j1"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"j1","image":"busybox","command":["echo","hi"],"resources":{}}],"restartPolicy":"Never"}}},"status":{}}"#,
};

/// `kubectl create cronjob cj --image=busybox --schedule='*/5 * * * *' -- date`
const CREATE_CRONJOB: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a130a0862617463682f7631120743726f6e4a6f6212a4010a120a02636a12001a0022002a00320038004200",
        "128b010a0b2a2f35202a202a202a202a1a002a7a0a120a02636a12001a0022002a00320038004200126432620a100a00",
        "12001a0022002a00320038004200124e12270a02636a120762757379626f781a04646174652a0042006a007200800100",
        "880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c201001a00",
        "1a002200",
    ),
    json: r#"{"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"cj"},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"metadata":{"name":"cj"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"cj","image":"busybox","command":["date"],"resources":{}}],"restartPolicy":"OnFailure"}}}}},"status":{}}"#,
};

/// `kubectl create deployment d2 --image=registry.k8s.io/e2e-test-images/agnhost:2.39 --image=redis:7 --port=8080 --replicas=0 -n team-a`
const CREATE_DEPLOYMENT_TWO_IMAGES: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a150a07617070732f7631120a4465706c6f796d656e74128c020a230a02643212001a067465616d2d612200",
        "2a003200380042005a090a036170701202643212d6010800120b0a090a03617070120264321abc010a1b0a0012001a00",
        "22002a003200380042005a090a0361707012026432129c0112580a0761676e686f7374122c72656769737472792e6b38",
        "732e696f2f6532652d746573742d696d616765732f61676e686f73743a322e33392a00320b0a00100018903f22002a00",
        "42006a007200800100880100900100a2010012240a057265646973120772656469733a372a0042006a00720080010088",
        "0100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800",
        "100018002000280038001a002200",
    ),
    json: r#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"d2","namespace":"team-a","labels":{"app":"d2"}},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"d2"}},"template":{"metadata":{"labels":{"app":"d2"}},"spec":{"containers":[{"name":"agnhost","image":"registry.k8s.io/e2e-test-images/agnhost:2.39","ports":[{"containerPort":8080}],"resources":{}},{"name":"redis","image":"redis:7","resources":{}}]}},"strategy":{}},"status":{}}"#,
};

/// `kubectl create deployment d3 --image=nginx -- sleep 3600`
const CREATE_DEPLOYMENT_COMMAND: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b5010a1d0a02643312001a0022002a0032003800",
        "42005a090a03617070120264331285010801120b0a090a03617070120264331a6c0a1b0a0012001a0022002a00320038",
        "0042005a090a0361707012026433124d122f0a056e67696e7812056e67696e781a05736c6565701a04333630302a0042",
        "006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a",
        "00280038001a0c0800100018002000280038001a002200",
    ),
    json: r#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"d3","labels":{"app":"d3"}},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"d3"}},"template":{"metadata":{"labels":{"app":"d3"}},"spec":{"containers":[{"name":"nginx","image":"nginx","command":["sleep","3600"],"resources":{}}]}},"strategy":{}},"status":{}}"#,
};

#[test]
fn kubectl_create_deployment_web_decodes_as_its_json() {
    check(&CREATE_DEPLOYMENT_WEB);
}

#[test]
fn kubectl_create_service_nodeport_decodes_as_its_json() {
    check(&CREATE_SERVICE_NODEPORT);
}

#[test]
fn kubectl_create_service_clusterip_decodes_as_its_json() {
    check(&CREATE_SERVICE_CLUSTERIP);
}

#[test]
fn kubectl_create_service_loadbalancer_decodes_as_its_json() {
    check(&CREATE_SERVICE_LOADBALANCER);
}

#[test]
fn kubectl_create_service_externalname_decodes_as_its_json() {
    check(&CREATE_SERVICE_EXTERNALNAME);
}

#[test]
fn kubectl_create_namespace_decodes_as_its_json() {
    check(&CREATE_NAMESPACE);
}

#[test]
fn kubectl_create_configmap_decodes_as_its_json() {
    check(&CREATE_CONFIGMAP);
}

#[test]
fn kubectl_create_secret_generic_decodes_as_its_json() {
    check(&CREATE_SECRET_GENERIC);
}

#[test]
fn kubectl_create_serviceaccount_decodes_as_its_json() {
    check(&CREATE_SERVICEACCOUNT);
}

#[test]
fn kubectl_create_ingress_decodes_as_its_json() {
    check(&CREATE_INGRESS);
}

#[test]
fn kubectl_create_job_decodes_as_its_json() {
    check(&CREATE_JOB);
}

#[test]
fn kubectl_create_cronjob_decodes_as_its_json() {
    check(&CREATE_CRONJOB);
}

#[test]
fn kubectl_create_deployment_two_images_decodes_as_its_json() {
    check(&CREATE_DEPLOYMENT_TWO_IMAGES);
}

#[test]
fn kubectl_create_deployment_command_decodes_as_its_json() {
    check(&CREATE_DEPLOYMENT_COMMAND);
}

/// `kubectl create token sa1` (the protobuf body from kubectl v1.33.1): fields without
/// `omitempty` are written even when unset (`null`, `""`).
const CREATE_TOKEN: Fixture = Fixture {
    protobuf: concat!(
        "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e52657175657374121a",
        "0a100a0012001a0022002a0032003800420012001a040a0012001a002200",
    ),
    json: r#"{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{},"spec":{"audiences":null,"expirationSeconds":null,"boundObjectRef":null},"status":{"token":"","expirationTimestamp":null}}"#,
};

#[test]
fn kubectl_create_token_decodes_as_its_json() {
    check(&CREATE_TOKEN);
}
