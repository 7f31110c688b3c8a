#!/usr/bin/env python3
"""Generate kubedrill-apiserver's Go-derived tables from the Kubernetes Go types.

Two outputs, both derived from `types.go` of k8s.io/api and k8s.io/apimachinery (the same
release k8s-pb was generated from, v0.35.x), so the Rust side never guesses what Go does:

* `src/protobuf/gen/*.rs` -- for every message reachable from the kinds in ROOTS, how the
  k8s-pb struct becomes the JSON Go's `encoding/json` writes for the same object: the JSON
  name, and whether the Go field is a pointer, `omitempty`, `omitzero`, a list, a map or an
  inline struct. The Rust field names come from k8s-pb's own sources (matched by proto tag),
  so a version skew between the two is a generator error, not a silent loss.
* `src/openapi/gen_ext.rs` -- the `x-kubernetes-*` extensions kube-openapi derives from struct
  tags and `+listType`/`+listMapKey`/`+mapType`/`+structType` markers, which k8s-openapi's
  `schemars` schemas do not carry.

Usage (from the repository root):
    python3 crates/apiserver/tools/gen_k8s_tables.py \
        --api-repo /path/to/kubernetes/api.git --apimachinery-repo /path/to/apimachinery.git \
        --tag v0.35.7 --k8s-pb ~/.cargo/registry/src/*/k8s-pb-0.9.0
then `cargo fmt --all`.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from collections import OrderedDict

# Go import path -> (repo key, directory, k8s-pb module, Rust alias, OpenAPI schema prefix)
PACKAGES = {
    "k8s.io/api/core/v1": ("api", "core/v1", "api::core::v1", "core_v1", "io.k8s.api.core.v1"),
    "k8s.io/api/apps/v1": ("api", "apps/v1", "api::apps::v1", "apps_v1", "io.k8s.api.apps.v1"),
    "k8s.io/api/batch/v1": ("api", "batch/v1", "api::batch::v1", "batch_v1", "io.k8s.api.batch.v1"),
    "k8s.io/api/networking/v1": (
        "api", "networking/v1", "api::networking::v1", "networking_v1", "io.k8s.api.networking.v1"),
    "k8s.io/api/discovery/v1": (
        "api", "discovery/v1", "api::discovery::v1", "discovery_v1", "io.k8s.api.discovery.v1"),
    "k8s.io/api/autoscaling/v1": (
        "api", "autoscaling/v1", "api::autoscaling::v1", "autoscaling_v1", "io.k8s.api.autoscaling.v1"),
    "k8s.io/api/authentication/v1": (
        "api", "authentication/v1", "api::authentication::v1", "authentication_v1",
        "io.k8s.api.authentication.v1"),
    "k8s.io/apimachinery/pkg/apis/meta/v1": (
        "apimachinery", "pkg/apis/meta/v1", "apimachinery::pkg::apis::meta::v1", "meta_v1",
        "io.k8s.apimachinery.pkg.apis.meta.v1"),
}
INTSTR = "k8s.io/apimachinery/pkg/util/intstr"
RESOURCE = "k8s.io/apimachinery/pkg/api/resource"
RUNTIME = "k8s.io/apimachinery/pkg/runtime"
TYPES = "k8s.io/apimachinery/pkg/types"
META = "k8s.io/apimachinery/pkg/apis/meta/v1"

# Types with their own JSON form (custom MarshalJSON); the Rust side converts them by hand.
SPECIAL = {
    (META, "Time"): "meta_v1::Time",
    (META, "MicroTime"): "meta_v1::MicroTime",
    (META, "Duration"): "meta_v1::Duration",
    (META, "FieldsV1"): "meta_v1::FieldsV1",
    (INTSTR, "IntOrString"): "intstr::IntOrString",
    (RESOURCE, "Quantity"): "resource::Quantity",
    (RUNTIME, "RawExtension"): "runtime::RawExtension",
}
SPECIAL_PB = {
    INTSTR: "apimachinery::pkg::util::intstr",
    RESOURCE: "apimachinery::pkg::api::resource",
    RUNTIME: "apimachinery::pkg::runtime",
}

# (package, kind) decoded from protobuf request bodies: what kubectl's generators create
# (KUBECTL-CONTRACT §5.1) and every kind the simulated cluster stores.
ROOTS = [
    ("k8s.io/api/core/v1", "v1", ["Namespace", "Node", "Pod", "Service", "Endpoints", "Event",
                                  "ConfigMap", "Secret", "ServiceAccount"]),
    ("k8s.io/api/apps/v1", "apps/v1", ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"]),
    ("k8s.io/api/batch/v1", "batch/v1", ["Job", "CronJob"]),
    ("k8s.io/api/networking/v1", "networking.k8s.io/v1", ["Ingress", "IngressClass",
                                                          "NetworkPolicy"]),
    ("k8s.io/api/discovery/v1", "discovery.k8s.io/v1", ["EndpointSlice"]),
    ("k8s.io/api/autoscaling/v1", "autoscaling/v1", ["Scale", "HorizontalPodAutoscaler"]),
    ("k8s.io/api/authentication/v1", "authentication.k8s.io/v1", ["TokenRequest"]),
]

BUILTIN = {"string": "string", "bool": "bool", "int32": "int32", "int64": "int64", "int": "int64",
           "uint32": "uint32", "uint64": "uint64", "byte": "byte"}


class Field:
    def __init__(self, go_name, go_type, tags, markers):
        self.go_name = go_name
        self.go_type = go_type
        self.tags = tags
        self.markers = markers
        js = tags.get("json", "")
        parts = js.split(",")
        self.json_name = parts[0]
        self.omitempty = "omitempty" in parts[1:]
        self.omitzero = "omitzero" in parts[1:]
        self.inline = "inline" in parts[1:]
        self.skip = parts[0] == "-" or "json" not in tags
        pb = tags.get("protobuf", "")
        self.proto_tag = None
        if pb and pb != "-":
            bits = pb.split(",")
            if len(bits) > 1 and bits[1].isdigit():
                self.proto_tag = int(bits[1])


class Struct:
    def __init__(self, pkg, name, markers):
        self.pkg = pkg
        self.name = name
        self.markers = markers
        self.fields = []


def git_show(repo, tag, path):
    return subprocess.run(["git", "--git-dir", repo, "show", f"{tag}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def git_ls(repo, tag, directory):
    out = subprocess.run(["git", "--git-dir", repo, "ls-tree", "--name-only", tag, directory + "/"],
                         check=True, capture_output=True, text=True).stdout
    return [p for p in out.split() if p.endswith(".go") and not p.endswith("_test.go")
            and "zz_generated" not in p and "generated.pb" not in p]


TAG_RE = re.compile(r'(\w+):"([^"]*)"')
FIELD_RE = re.compile(r'^(\w+)\s+([^\s`]+)\s*(?:`([^`]*)`)?\s*(//.*)?$')
EMBED_RE = re.compile(r'^([\w.*]+)\s*(?:`([^`]*)`)?\s*(//.*)?$')


CONST_RE = re.compile(r'^(\w+)\s+(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(//.*)?$')


def parse_go(pkg, text, structs, named, imports, consts):
    lines = text.split("\n")
    pending = []
    i = 0
    imp = {}
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if s == "const (":
            i += 1
            doc = []
            while lines[i].strip() != ")":
                c = lines[i].strip()
                i += 1
                if c.startswith("//"):
                    doc.append(c[2:].strip())
                    continue
                if not c:
                    doc = []
                    continue
                m = CONST_RE.match(c)
                if m:
                    consts.setdefault((pkg, m.group(2)), []).append(
                        (m.group(1), json.loads('"' + m.group(3) + '"'), " ".join(doc)))
                doc = []
            i += 1
            pending = []
            continue
        m = re.match(r'^const\s+(\w+)\s+(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"', line)
        if m:
            consts.setdefault((pkg, m.group(2)), []).append(
                (m.group(1), json.loads('"' + m.group(3) + '"'), " ".join(pending)))
            pending = []
            i += 1
            continue
        if s.startswith("import ("):
            i += 1
            while lines[i].strip() != ")":
                m = re.match(r'^\s*(\w+)?\s*"([^"]+)"', lines[i])
                if m:
                    path = m.group(2)
                    alias = m.group(1) or path.rsplit("/", 1)[-1]
                    imp[alias] = path
                i += 1
            i += 1
            continue
        m = re.match(r'^import\s+(\w+)?\s*"([^"]+)"', s)
        if m:
            path = m.group(2)
            imp[m.group(1) or path.rsplit("/", 1)[-1]] = path
            i += 1
            continue
        if s.startswith("//"):
            pending.append(s[2:].strip())
            i += 1
            continue
        if not s:
            pending = []
            i += 1
            continue
        m = re.match(r'^type (\w+) struct \{\s*$', line)
        if m:
            st = Struct(pkg, m.group(1), markers(pending))
            pending = []
            i += 1
            fpending = []
            while not lines[i].startswith("}"):
                fl = lines[i].strip()
                i += 1
                if fl.startswith("/*"):
                    while "*/" not in lines[i - 1]:
                        i += 1
                    continue
                if fl.startswith("//"):
                    fpending.append(fl[2:].strip())
                    continue
                if not fl:
                    fpending = []
                    continue
                fm = FIELD_RE.match(fl)
                if fm:
                    tags = dict(TAG_RE.findall(fm.group(3) or ""))
                    st.fields.append(Field(fm.group(1), fm.group(2), tags, markers(fpending)))
                else:
                    em = EMBED_RE.match(fl)
                    if not em:
                        sys.exit(f"cannot parse field line in {pkg}.{st.name}: {fl!r}")
                    tags = dict(TAG_RE.findall(em.group(2) or ""))
                    typ = em.group(1)
                    f = Field(typ.rsplit(".", 1)[-1].lstrip("*"), typ, tags, markers(fpending))
                    if "json" in tags and not f.inline and f.json_name == "":
                        sys.exit(f"embedded field without inline: {pkg}.{st.name} {fl!r}")
                    if "json" not in tags:
                        # Go embeds without a json tag are inlined by encoding/json too.
                        f.inline = True
                        f.skip = False
                    st.fields.append(f)
                fpending = []
            structs[(pkg, st.name)] = st
            i += 1
            continue
        m = re.match(r'^type (\w+)\s*=?\s*([^\s{]+)\s*(//.*)?$', line)
        if m:
            named[(pkg, m.group(1))] = (m.group(2), markers(pending))
        pending = []
        i += 1
    imports[pkg] = {**imports.get(pkg, {}), **imp}


SWAGGER_RE = re.compile(r'^var map_(\w+) = map\[string\]string\{\s*$')
ENTRY_RE = re.compile(r'^\s*("(?:[^"\\]|\\.)*"):\s*("(?:[^"\\]|\\.)*"),\s*$')


def parse_swagger(pkg, text, docs):
    """`types_swagger_doc_generated.go`: the descriptions kube-openapi publishes."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = SWAGGER_RE.match(lines[i])
        i += 1
        if not m:
            continue
        entries = {}
        while not lines[i].startswith("}"):
            e = ENTRY_RE.match(lines[i])
            if e:
                entries[json.loads(e.group(1))] = json.loads(e.group(2))
            i += 1
        docs[(pkg, m.group(1))] = entries


def markers(comment_lines):
    out = OrderedDict()
    for c in comment_lines:
        if re.match(r'^\+(k8s:)?optional\b', c):
            out["optional"] = [""]
        if re.match(r'^\+enum\s*$', c):
            out["enum"] = [""]
        m = re.match(r'^\+(listType|listMapKey|mapType|structType|patchStrategy|patchMergeKey)=(\S+)', c)
        if m:
            out.setdefault(m.group(1), []).append(m.group(2))
    return out


def parse_pb(path):
    """k8s-pb module source -> {message: {tag: (rust field name, prost kind)}}."""
    text = open(path).read()
    msgs = {}
    cur = None
    attr = None
    for line in text.split("\n"):
        m = re.match(r'^pub struct (\w+) \{', line)
        if m:
            cur = msgs.setdefault(m.group(1), {})
            continue
        if line.startswith("}"):
            cur = None
            continue
        if cur is None:
            continue
        m = re.match(r'^\s*#\[prost\((.*)\)\]\s*$', line)
        if m:
            attr = m.group(1)
            continue
        m = re.match(r'^\s*pub (r#)?(\w+):', line)
        if m and attr is not None:
            tag = int(re.search(r'tag = "(\d+)"', attr).group(1))
            cur[tag] = ((m.group(1) or "") + m.group(2), attr)
            attr = None
    return msgs


class Gen:
    def __init__(self, structs, named, imports, pb):
        self.structs = structs
        self.named = named
        self.imports = imports
        self.pb = pb
        self.todo = []
        self.done = set()
        self.go_names = set()

    def resolve(self, pkg, t):
        """Go type expression -> descriptor tuple."""
        if t.startswith("*"):
            return ("ptr", self.resolve(pkg, t[1:]))
        if t == "[]byte":
            return ("bytes",)
        if t.startswith("[]"):
            return ("list", self.resolve(pkg, t[2:]))
        if t.startswith("map["):
            depth = 0
            for j, ch in enumerate(t):
                if ch == "[":
                    depth += 1
                elif ch == "]":
                    depth -= 1
                    if depth == 0:
                        break
            return ("map", self.resolve(pkg, t[j + 1:]))
        if t in BUILTIN:
            return ("scalar", BUILTIN[t])
        if "." in t:
            alias, name = t.split(".", 1)
            tpkg = self.imports[pkg].get(alias)
            if tpkg is None:
                sys.exit(f"unknown import alias {alias} in {pkg}")
        else:
            tpkg, name = pkg, t
        if (tpkg, name) in SPECIAL:
            return ("special", tpkg, name)
        if tpkg == TYPES:
            return ("scalar", "string")
        if (tpkg, name) in self.structs:
            return ("msg", tpkg, name)
        if (tpkg, name) in self.named:
            return self.resolve(tpkg, self.named[(tpkg, name)][0])
        sys.exit(f"cannot resolve Go type {t} in {pkg}")

    def need(self, pkg, name):
        if (pkg, name) not in self.done:
            self.done.add((pkg, name))
            self.todo.append((pkg, name))

    def pb_name(self, pkg, name):
        """prost renames `PodDNSConfig` to `PodDnsConfig`; match case-insensitively."""
        mod = self.pb[PACKAGES[pkg][2]]
        found = [n for n in mod if n.lower() == name.lower()]
        if len(found) != 1:
            sys.exit(f"k8s-pb has no (unique) message {PACKAGES[pkg][2]}::{name}: {found}")
        return found[0]

    def rust_type(self, pkg, name):
        if (pkg, name) in SPECIAL:
            return SPECIAL[(pkg, name)]
        return f"{PACKAGES[pkg][3]}::{self.pb_name(pkg, name)}"

    def field_code(self, st, f, pbfields):
        """One Rust statement writing Go field `f` of struct `st` into `o`."""
        d = self.resolve(st.pkg, f.go_type)
        if f.proto_tag is None:
            sys.exit(f"{st.pkg}.{st.name}.{f.go_name}: no protobuf tag")
        if f.proto_tag not in pbfields:
            sys.exit(f"{st.pkg}.{st.name}.{f.go_name}: tag {f.proto_tag} missing in k8s-pb")
        rust, attr = pbfields.pop(f.proto_tag)
        acc = f"&self.{rust}"
        self.collect(d)
        inner = d
        while inner[0] in ("ptr", "list", "map"):
            inner = inner[1]
        inner_go = inner[2] if inner[0] in ("msg", "special") else ""
        self.go_names.add((self.pb_name(st.pkg, st.name), rust, st.name, f.go_name, inner_go))
        if f.inline:
            if d[0] != "msg":
                sys.exit(f"inline non-struct {st.name}.{f.go_name}")
            return f"inline(o, {acc})?;"
        key = f'"{f.json_name}"'
        kind = d[0]
        if kind == "ptr":
            inner = d[1]
            if inner[0] in ("list", "map", "bytes", "ptr"):
                sys.exit(f"pointer to {inner[0]} in {st.name}.{f.go_name}")
            fn = "ptr" if f.omitempty or f.omitzero else "ptr_null"
            return f"{fn}(o, {key}, {acc})?;"
        if kind == "list":
            if d[1][0] in ("list", "ptr", "bytes"):
                sys.exit(f"list of {d[1][0]} in {st.name}.{f.go_name}")
            fn = "list_oe" if f.omitempty else "list"
            return f"{fn}(o, {key}, {acc})?;"
        if kind == "map":
            if d[1][0] in ("list", "ptr", "map"):
                sys.exit(f"map of {d[1][0]} in {st.name}.{f.go_name}")
            if not f.omitempty:
                sys.exit(f"map without omitempty {st.name}.{f.go_name}: add json::map (null when empty)")
            fn = "map_oe"
            return f"{fn}(o, {key}, {acc})?;"
        if kind == "bytes":
            fn = "omit_empty" if f.omitempty else "ptr_null"
            return f"{fn}(o, {key}, {acc})?;"
        if kind == "scalar":
            if f.omitzero and not f.omitempty:
                sys.exit(f"omitzero scalar {st.name}.{f.go_name}")
            fn = "omit_empty" if f.omitempty else "always"
            return f"{fn}(o, {key}, {acc})?;"
        if kind in ("msg", "special"):
            # encoding/json never treats a struct as empty; omitzero uses the type's IsZero.
            fn = "omit_zero" if f.omitzero else "always"
            return f"{fn}(o, {key}, {acc})?;"
        sys.exit(f"unhandled {d}")

    def collect(self, d):
        if d[0] in ("ptr", "list", "map"):
            self.collect(d[1])
        elif d[0] == "msg":
            self.need(d[1], d[2])

    def message_impl(self, pkg, name):
        st = self.structs[(pkg, name)]
        mod = PACKAGES[pkg][2]
        pbfields = dict(self.pb[mod][self.pb_name(pkg, name)])
        body = []
        for f in st.fields:
            if f.skip or (f.inline and f.proto_tag is None and f.go_type.endswith("TypeMeta")):
                continue
            if f.inline and f.proto_tag is None:
                sys.exit(f"inline without proto tag {name}.{f.go_name}")
            body.append("        " + self.field_code(st, f, pbfields))
        if pbfields:
            sys.exit(f"k8s-pb {mod}::{name} has fields the Go type lacks: {pbfields}")
        rt = self.rust_type(pkg, name)
        o = "o" if body else "_o"
        lines = [f"impl Message for {rt} {{",
                 f"    fn write(&self, {o}: &mut Obj) -> Result<(), ProtoError> {{"]
        lines += body
        lines += ["        Ok(())", "    }", "}", ""]
        return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--api-repo", required=True)
    ap.add_argument("--apimachinery-repo", required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--k8s-pb", required=True)
    ap.add_argument("--out", default="crates/apiserver/src")
    args = ap.parse_args()

    structs, named, imports, swagger, consts = {}, {}, {}, {}, {}
    for gopkg, (repo, directory, *_rest) in PACKAGES.items():
        git = args.api_repo if repo == "api" else args.apimachinery_repo
        for path in git_ls(git, args.tag, directory):
            text = git_show(git, args.tag, path)
            parse_go(gopkg, text, structs, named, imports, consts)
            if path.endswith("types_swagger_doc_generated.go"):
                parse_swagger(gopkg, text, swagger)

    pb = {}
    for gopkg, (_r, _d, mod, _a, _p) in PACKAGES.items():
        pb[mod] = parse_pb(os.path.join(args.k8s_pb, "src", *mod.split("::"), "mod.rs"))

    gen = Gen(structs, named, imports, pb)
    for pkg, _av, kinds in ROOTS:
        for k in kinds:
            gen.need(pkg, k)
    impls = {}
    while gen.todo:
        pkg, name = gen.todo.pop(0)
        impls.setdefault(pkg, []).append((name, gen.message_impl(pkg, name)))

    write_protobuf(args.out, args.tag, impls, gen)
    write_extensions(args.out, args.tag, structs, named, gen, swagger, consts)


HEADER = "// @generated by crates/apiserver/tools/gen_k8s_tables.py from k8s.io/api and\n" \
         "// k8s.io/apimachinery {tag} types.go; do not edit by hand.\n"


def write_protobuf(out, tag, impls, gen):
    gdir = os.path.join(out, "protobuf", "tables")
    os.makedirs(gdir, exist_ok=True)
    mods = []
    for pkg in PACKAGES:
        if pkg not in impls:
            continue
        alias = PACKAGES[pkg][3]
        mods.append(alias)
        text = [f"//! Go `encoding/json` field rules for {pkg} messages (k8s-pb → JSON).", "",
                HEADER.format(tag=tag),
                "use super::super::ProtoError;", "use super::super::json::*;", "use super::pb::*;", ""]
        for name, code in sorted(impls[pkg]):
            text.append(code)
        text.append("as_value!(" + ", ".join(
            gen.rust_type(pkg, n) for n, _ in sorted(impls[pkg])) + ");")
        open(os.path.join(gdir, f"{alias}.rs"), "w").write("\n".join(text) + "\n")

    uses = []
    for pkg in PACKAGES:
        uses.append(f"    pub(crate) use k8s_pb::{PACKAGES[pkg][2]} as {PACKAGES[pkg][3]};")
    for pkg, mod in SPECIAL_PB.items():
        uses.append(f"    pub(crate) use k8s_pb::{mod};")
    arms = []
    for pkg, av, kinds in ROOTS:
        for k in kinds:
            arms.append(f'        ("{av}", "{k}") => Some(typed::<pb::{gen.rust_type(pkg, k)}>(raw, "{k}")),')
    mod_rs = [
        "//! Go-derived conversion tables: one module per API group-version, and the dispatch from",
        "//! an envelope's `apiVersion`/`kind` to the k8s-pb message it carries.",
        "",
        HEADER.format(tag=tag),
        "use super::ProtoError;",
        "use super::json::{Obj, typed};",
        "",
        "/// The k8s-pb modules, by short name.",
        "pub(crate) mod pb {",
    ] + uses + ["}", ""] + [f"mod {m};" for m in mods] + [
        "#[rustfmt::skip]",
        "mod go_names;",
        "",
        "pub(crate) use go_names::GO_NAMES;",

        "",
        "/// The JSON object for `raw` when `(api_version, kind)` is a kind this server decodes.",
        "pub(crate) fn decode_kind(api_version: &str, kind: &str, raw: &[u8]) -> Option<Result<Obj, ProtoError>> {",
        "    match (api_version, kind) {",
    ] + arms + [
        "        _ => None,",
        "    }",
        "}",
        "",
        "/// Every `(apiVersion, kind)` [`decode_kind`] knows.",
        "pub const KINDS: &[(&str, &str)] = &[",
    ] + [f'    ("{av}", "{k}"),' for pkg, av, kinds in ROOTS for k in kinds] + [
        "];",
    ]
    open(os.path.join(gdir, "mod.rs"), "w").write("\n".join(mod_rs) + "\n")
    names = [
        "//! The Go names gogo-protobuf's error messages use, for k8s-pb's `(message, field)`.",
        "",
        HEADER.format(tag=tag),
        "/// `(k8s-pb message, k8s-pb field, Go type, Go field, Go type of the field's message)`,",
        "/// sorted for binary search.",
        "pub(crate) const GO_NAMES: &[(&str, &str, &str, &str, &str)] = &[",
    ] + [f'    ("{a}", "{b}", "{c}", "{d}", "{e}"),' for a, b, c, d, e in sorted(gen.go_names)] + ["];"]
    open(os.path.join(gdir, "go_names.rs"), "w").write("\n".join(names) + "\n")


def field_rows(gen, st):
    """Extension-bearing fields of `st`, with inline structs' fields flattened in as the
    published schema flattens them."""
    out = []
    for f in st.fields:
        if f.skip:
            continue
        if f.inline:
            if f.go_type.endswith("TypeMeta") or f.go_type.endswith("ObjectMeta"):
                continue
            d = gen.resolve(st.pkg, f.go_type)
            if d[0] == "msg":
                out += field_rows(gen, gen.structs[(d[1], d[2])])
            continue
        f.owner_pkg = st.pkg
        out.append(f)
    return out


def pkg_of_field(gen, st, f):
    return getattr(f, "owner_pkg", st.pkg)


def enum_of(gen, pkg, t, consts):
    """`(values, description)` when Go type `t` (or what it points to) is a `+enum` string."""
    t = t.lstrip("*")
    if t.startswith("[") or t.startswith("map["):
        return None
    if "." in t:
        alias, name = t.split(".", 1)
        tpkg = gen.imports[pkg].get(alias)
    else:
        tpkg, name = pkg, t
    decl = gen.named.get((tpkg, name))
    if decl is None or decl[0] != "string" or "enum" not in decl[1]:
        return None
    values = []
    for cname, value, comment in consts.get((tpkg, name), []):
        if any(v == value for v, _ in values):
            continue
        # kube-openapi enum.go: drop the constant's name, collapse whitespace.
        c = comment.strip()
        if c.startswith(cname):
            c = c[len(cname):]
        c = " ".join(c.split())
        values.append((value, f" - `{json.dumps(value)}` {c}".rstrip()))
    if not values:
        return None
    lines = sorted(line for _, line in values)
    return sorted(v for v, _ in values), "\n\nPossible enum values:\n" + "\n".join(lines)


def write_extensions(out, tag, structs, named, gen, swagger, consts):
    """x-kubernetes-* extensions per (schema, property) and per schema."""
    rows = []
    type_rows = []
    for (pkg, name), st in sorted(structs.items()):
        if pkg not in PACKAGES or (pkg, name) in SPECIAL:
            continue
        schema = f"{PACKAGES[pkg][4]}.{name}"
        sm = st.markers
        if sm.get("structType") == ["atomic"] or sm.get("mapType") == ["atomic"]:
            type_rows.append((schema, "atomic"))
        for f in field_rows(gen, st):
            ext = []
            ps = f.tags.get("patchStrategy")
            mk = f.tags.get("patchMergeKey")
            if ps:
                ext.append(("PatchStrategy", ps))
            if mk:
                ext.append(("PatchMergeKey", mk))
            if "listType" in f.markers:
                ext.append(("ListType", f.markers["listType"][0]))
            if "listMapKey" in f.markers:
                ext.append(("ListMapKeys", f.markers["listMapKey"]))
            if "mapType" in f.markers:
                ext.append(("MapType", f.markers["mapType"][0]))
            if "structType" in f.markers:
                ext.append(("MapType", f.markers["structType"][0]))
            if ext:
                rows.append((schema, f.json_name, ext))
    lines = [
        "//! `x-kubernetes-*` extensions kube-openapi derives from Go struct tags and markers",
        "//! (`patchStrategy`, `patchMergeKey`, `+listType`, `+listMapKey`, `+mapType`,",
        "//! `+structType`), which k8s-openapi's schemas do not carry.",
        "",
        HEADER.format(tag=tag),
        "use super::ext::Ext;",
        "",
        "/// `(schema, property, extensions)`, sorted by schema then property.",
        "pub(crate) const PROPERTY_EXTENSIONS: &[(&str, &str, &[Ext])] = &[",
    ]
    for schema, prop, ext in rows:
        items = []
        for k, v in ext:
            if isinstance(v, list):
                items.append(f"Ext::{k}(&[" + ", ".join(f'"{x}"' for x in v) + "])")
            else:
                items.append(f'Ext::{k}("{v}")')
        lines.append(f'    ("{schema}", "{prop}", &[{", ".join(items)}]),')
    lines += ["];", "",
              "/// Schemas whose type carries `+structType=atomic` / `+mapType=atomic`.",
              "pub(crate) const ATOMIC_SCHEMAS: &[&str] = &["]
    lines += [f'    "{s}",' for s, _ in type_rows]
    lines += ["];", "",
              "/// `(schema, property, values, description suffix)` for `+enum` string fields:",
              "/// kube-openapi's `enum` list and its `Possible enum values:` paragraph.",
              "pub(crate) const ENUMS: &[(&str, &str, &[&str], &str)] = &["]
    for (pkg, name), st in sorted(structs.items()):
        if pkg not in PACKAGES or (pkg, name) in SPECIAL:
            continue
        for f in field_rows(gen, st):
            e = enum_of(gen, pkg_of_field(gen, st, f), f.go_type, consts)
            if e:
                vals = ", ".join(json.dumps(v) for v in e[0])
                lines.append(f'    ("{PACKAGES[pkg][4]}.{name}", "{f.json_name}", &[{vals}], {json.dumps(e[1], ensure_ascii=False)}),')
    lines += ["];", "",
              "/// Schemas whose `metadata` Go field is required (no `omitempty`, no `+optional`);",
              "/// k8s-openapi marks every resource's `metadata` required.",
              "pub(crate) const METADATA_REQUIRED: &[&str] = &["]
    for (pkg, name), st in sorted(structs.items()):
        if pkg not in PACKAGES or (pkg, name) in SPECIAL:
            continue
        for f in st.fields:
            if f.json_name == "metadata" and f.go_type.endswith("ObjectMeta") \
                    and not f.omitempty and "optional" not in f.markers:
                lines.append(f'    "{PACKAGES[pkg][4]}.{name}",')
    lines += ["];", "",
              "/// `(list schema, description, metadata description, items description)` from",
              "/// `types_swagger_doc_generated.go`: k8s-openapi has no schemas for list types.",
              "pub(crate) const LIST_DOCS: &[(&str, &str, &str, &str)] = &["]
    for pkg, _av, kinds in ROOTS:
        for k in kinds:
            doc = swagger.get((pkg, k + "List"))
            if doc is None:
                continue
            vals = [json.dumps(doc.get(x, ""), ensure_ascii=False) for x in ("", "metadata", "items")]
            lines.append(f'    ("{PACKAGES[pkg][4]}.{k}List", {vals[0]}, {vals[1]}, {vals[2]}),')
    lines += ["];"]
    os.makedirs(os.path.join(out, "openapi"), exist_ok=True)
    open(os.path.join(out, "openapi", "gen_ext.rs"), "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
