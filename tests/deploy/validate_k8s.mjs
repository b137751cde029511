// Validates every document of the YAML files given (deploy/kubernetes/*.yaml, the objects
// kustomize and helm render) against the Kubernetes OpenAPI schemas
// (kubernetes-models) and the prometheus-operator CRD schemas
// (@kubernetes-models/prometheus-operator). Usage: node validate_k8s.mjs FILE...
// Prints one line per document and exits 1 if any is invalid or of an unknown kind.
// Note: these schemas check types, required fields, enums and formats; like the API server's
// non-strict mode they do not reject unknown fields.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

const models = {
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "apps/v1/DaemonSet": "kubernetes-models/apps/v1/DaemonSet",
  "monitoring.coreos.com/v1/PodMonitor":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor",
  "monitoring.coreos.com/v1/ServiceMonitor":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
  "monitoring.coreos.com/v1/PrometheusRule":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
};

let bad = 0;
for (const file of process.argv.slice(2)) {
  const docs = yaml.loadAll(readFileSync(file, "utf8")).filter((d) => d != null);
  for (const doc of docs) {
    const key = `${doc.apiVersion}/${doc.kind}`;
    const where = `${file}: ${key} ${doc.metadata?.name ?? "?"}`;
    if (doc.kind === "Kustomization") continue; // not an API object; checked by the pytest
    const mod = models[key];
    if (!mod) {
      console.log(`FAIL ${where}: no schema known for this kind`);
      bad++;
      continue;
    }
    const cls = Object.values(await import(mod)).find((c) => typeof c === "function" && c.kind === doc.kind);
    try {
      new cls(doc).validate();
      console.log(`ok   ${where}`);
    } catch (e) {
      console.log(`FAIL ${where}: ${e.message}`);
      bad++;
    }
  }
}
process.exit(bad ? 1 : 0);
