/** What to do when a run has nothing logged yet: the SDK calls (and curl) that would fill the view. */
export function SdkSnippet({ runId, what }: { runId: string; what: "metrics" | "images" }) {
  const sdk =
    what === "metrics"
      ? `import * as inkstone from "./lib/sdk";\n\nawait inkstone.init({ project: "sd15", config: { learning_rate: 1e-5 } });\ninkstone.log({ train_loss: 0.12, lr: 1e-5 }, step);\nawait inkstone.finish();`
      : `// One image per validation prompt, captioned "{i}: {prompt}":\ninkstone.logImage("validation", pngBytes, { step, epoch, index: i, caption: \`\${i}: \${prompt}\` });`;
  const curl =
    what === "metrics"
      ? `curl -X POST -H "Authorization: Bearer $RUN_TOKEN" -H "content-type: application/json" \\\n  -d '{"points":[{"key":"train_loss","step":1,"value":0.12}]}' \\\n  ${"$INKSTONE_URL"}/api/runs/${runId}/metrics`
      : `curl -H "Authorization: Bearer $RUN_TOKEN" \\\n  -F meta='{"key":"validation","step":100,"epoch":1,"index":0,"caption":"0: a prompt"}' -F file=@sample.png \\\n  ${"$INKSTONE_URL"}/api/runs/${runId}/images`;
  return (
    <div className="empty-state" data-testid={`empty-${what}`}>
      <div className="empty-state-title">{what === "metrics" ? "No metrics logged yet" : "No images logged yet"}</div>
      <div className="empty-state-body">
        <p>
          {what === "metrics"
            ? "Charts appear here, live, as soon as the trainer logs a value. From TypeScript:"
            : "The trainer's validation samples appear here as a grid, prompts in rows and epochs in columns. Log them with:"}
        </p>
        <pre className="code-block">{sdk}</pre>
        <p>or over HTTP with the run&apos;s ingest token:</p>
        <pre className="code-block">{curl}</pre>
      </div>
    </div>
  );
}
