// After a rule save (desk or admin API): the retag that applies the effective rules to every
// stored article (`tributary retag`, not a dry run), recording its progress and its outcome for
// the save's target ("N entered, M left" for a section; gained and lost for a tag). Runs as a job
// on the retag queue (workers/retag.worker.ts), where the workers run, off the HTTP thread.
import type { Logger } from 'pino';
import type { Config } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import type { RetagStatus, RetagTarget } from '../store/rules.ts';
import { createRulesView } from '../catalog/rules.ts';
import type { RulesView } from '../catalog/rules.ts';
import { runRetag } from './retag.ts';
import type { RetagChange } from './retag.ts';

type RulesConfig = Pick<Config, 'tags' | 'sections' | 'sources'>;

export interface ApplyRulesDeps {
  config: RulesConfig;
  store: Store;
  rules?: RulesView<RulesConfig>;
  log?: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
}

/** How a change counts for the target: entered/gained (+1), left/lost (-1), or not at all (0). */
function movement(target: RetagTarget, c: RetagChange): 1 | -1 | 0 {
  const [kind, id] = [target.slice(0, target.indexOf(':')), target.slice(target.indexOf(':') + 1)];
  const [before, after] =
    kind === 'section' ? [c.sectionsBefore, c.sectionsAfter] : [c.tagsBefore, c.tagsAfter];
  const was = before.includes(id);
  const is = after.includes(id);
  return was === is ? 0 : is ? 1 : -1;
}

export async function applySavedRules(
  deps: ApplyRulesDeps,
  target: RetagTarget,
  version: number,
): Promise<RetagStatus> {
  const now = deps.now ?? (() => new Date());
  const rules = deps.rules ?? createRulesView(deps.config, deps.store);
  const status: RetagStatus = {
    state: 'running',
    version,
    done: 0,
    total: 0,
    entered: 0,
    left: 0,
    error: null,
    updatedAt: now().toISOString(),
  };
  const write = () =>
    deps.store.rules.setRetagStatus(target, { ...status, updatedAt: now().toISOString() });
  await write();
  let lastWrite = Date.now();
  try {
    // The rules as they are now (a later save included: its own job then finds nothing to do).
    const { config } = await rules.current();
    const res = await runRetag(
      { config, store: deps.store, log: deps.log },
      {
        dryRun: false,
        onProgress: (done, total) => {
          status.done = done;
          status.total = total;
          if (Date.now() - lastWrite < 250) return;
          lastWrite = Date.now();
          void write().catch(() => undefined);
        },
      },
    );
    for (const c of res.changed) {
      const m = movement(target, c);
      if (m > 0) status.entered++;
      else if (m < 0) status.left++;
    }
    status.state = 'done';
    status.done = status.total = res.scanned;
  } catch (e) {
    status.state = 'failed';
    status.error = (e as Error).message;
    deps.log?.warn(`retag after the rules of ${target} were saved failed: ${status.error}`);
  }
  await write();
  return status;
}
