// runner.mjs runs the gameday state machine definition in
// aws-local-stepfunctions, a third-party Amazon States Language interpreter,
// for `gameday run --local`. Its Tasks invoke the Lambda functions through
// the AWS SDK's Lambda client, which AWS_ENDPOINT_URL points at the gameday
// simulator; nothing in the workflow is re-implemented here.
//
// Protocol: the first line on stdin is a JSON object
//   {definition, input, context, speed, simOriginMs, wallStartMs, nodeModules}
// and a later line "abort" aborts the execution. Every execution event is
// written to stdout as one JSON line; the last line is the execution's end.
//
// The interpreter runs on the simulator's timeline: Date reads simulated
// time and timers run `speed` times faster, so Wait states, Retry backoffs
// and the execution timeout keep their meaning at any speed. A Task's
// timeout is the exception: it bounds a Lambda's run, which takes real time
// however fast the clock goes (see realTaskTimeouts).
import { createRequire } from 'node:module';
import readline from 'node:readline';

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

const lines = readline.createInterface({ input: process.stdin });
const iter = lines[Symbol.asyncIterator]();
const first = await iter.next();
if (first.done) {
  emit({ type: 'RunnerError', error: 'no configuration on stdin' });
  process.exit(2);
}
const cfg = JSON.parse(first.value);

installSimulatedTime(cfg.speed || 1, cfg.simOriginMs, cfg.wallStartMs);
if (typeof Promise.withResolvers !== 'function') {
  // Node 20 lacks it; the interpreter (written for Node 22) uses it.
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

const require = createRequire(cfg.nodeModules.replace(/\/?$/, '/'));
const { StateMachine } = require('aws-local-stepfunctions');

let machine;
try {
  const definition = realTaskTimeouts(cfg.definition, cfg.speed || 1);
  machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
} catch (err) {
  emit({ type: 'RunnerError', error: 'invalid state machine definition: ' + err.message });
  process.exit(2);
}

const execution = machine.run(cfg.input, { context: cfg.context, noThrowOnAbort: true });

(async () => {
  for (;;) {
    const next = await iter.next();
    if (next.done || next.value.trim() === 'abort') {
      execution.abort();
      return;
    }
  }
})();

const events = (async () => {
  for await (const ev of execution.eventLogs) {
    // The state's input is the whole run document: leave it out, the
    // output says what changed.
    const out = { type: ev.type, timestamp: new Date(ev.timestamp).toISOString() };
    if (ev.state) out.state = { name: ev.state.name, type: ev.state.type, output: ev.state.output };
    if (ev.output !== undefined) out.output = ev.output;
    if ('Error' in ev) out.error = String(ev.Error);
    if ('Cause' in ev) out.cause = typeof ev.Cause === 'string' ? ev.Cause : JSON.stringify(ev.Cause);
    if (ev.retry) {
      out.error = (ev.retry.retrier.ErrorEquals || []).join(',');
      out.attempt = ev.retry.attempt;
    }
    if (ev.catch) {
      out.error = (ev.catch.catcher.ErrorEquals || []).join(',');
      out.next = ev.catch.catcher.Next;
    }
    emit(out);
  }
})();

let end;
try {
  const output = await execution.result;
  end = output === null ? { type: 'End', status: 'ABORTED' } : { type: 'End', status: 'SUCCEEDED', output };
} catch (err) {
  const cause = err.cause instanceof Error ? err.cause : err;
  end = {
    type: 'End',
    status: err.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED',
    error: String(cause.name),
    cause: typeof cause.message === 'string' ? cause.message : JSON.stringify(cause.message),
  };
}
await events.catch(() => {});
emit(end);
process.exit(0);

// realTaskTimeouts gives every Task of def (nested ones included) speed
// times its TimeoutSeconds, which the sped-up timers bring back to
// TimeoutSeconds of wall time. A Task's timeout bounds its Lambda's run:
// the Lambda runs in the simulator's process at real speed, so a timeout
// scaled with the clock would leave it TimeoutSeconds/speed of real time
// (900 s at 120x: 7.5 s), which a loaded machine's real work outlasts.
// (The workflow's Tasks all set TimeoutSeconds; none uses TimeoutSecondsPath.)
function realTaskTimeouts(def, speed) {
  for (const state of Object.values(def.States || {})) {
    if (state.Type === 'Task' && Number.isInteger(state.TimeoutSeconds)) {
      state.TimeoutSeconds = Math.ceil(state.TimeoutSeconds * speed);
    }
    for (const branch of state.Branches || []) realTaskTimeouts(branch, speed);
    for (const sub of [state.Iterator, state.ItemProcessor]) {
      if (sub) realTaskTimeouts(sub, speed);
    }
  }
  return def;
}

function installSimulatedTime(speed, simOriginMs, wallStartMs) {
  const RealDate = Date;
  const realSetTimeout = globalThis.setTimeout;
  const realSetInterval = globalThis.setInterval;
  const origin = simOriginMs ?? RealDate.now();
  const wallStart = wallStartMs ?? RealDate.now();
  const simNow = () => Math.floor(origin + (RealDate.now() - wallStart) * speed);
  class SimDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(simNow());
      else super(...args);
    }
    static now() { return simNow(); }
  }
  globalThis.Date = SimDate;
  globalThis.setTimeout = (fn, ms, ...args) => realSetTimeout(fn, Math.max(0, (Number(ms) || 0) / speed), ...args);
  globalThis.setInterval = (fn, ms, ...args) => realSetInterval(fn, Math.max(1, (Number(ms) || 0) / speed), ...args);
}
