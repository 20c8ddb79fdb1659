// Shared by the contract scripts: run named steps, keep what each returned or threw, print one JSON line.
export const report = {};

export async function step(name, fn) {
  try {
    report[name] = { ok: true, value: (await fn()) ?? null };
  } catch (e) {
    report[name] = {
      ok: false,
      name: e?.name ?? null,
      errorCode: e?.errorCode ?? null,
      status: e?.status ?? e?.statusCode ?? e?.response?.status ?? null,
      title: e?.response?.body?.title ?? null,
      message: String(e?.message ?? e),
      body: e?.response?.text ?? null,
    };
  }
  return report[name];
}

export function finish() {
  process.stdout.write('\n' + JSON.stringify(report) + '\n');
}
