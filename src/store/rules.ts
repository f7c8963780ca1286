// Rules saved at runtime (desk, admin API) over the config file's: a section's include/exclude
// rules and a tag's keywords. The config stays the baseline; a reset deletes the override. Every
// save or reset bumps one version counter, which every process checks before it tags (see
// catalog/rules.ts). Also the state of the background retag that applies a save to stored articles.
import type { SectionConfig } from '../domain/types.ts';
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';

export type SectionRules = Pick<SectionConfig, 'include' | 'exclude'>;

export interface SavedSectionRules extends SectionRules {
  savedAt: string;
}
export interface SavedTagKeywords {
  keywords: string[];
  savedAt: string;
}

export interface RuleOverlay {
  version: number;
  sections: Map<string, SavedSectionRules>;
  tags: Map<string, SavedTagKeywords>;
}

/** `section:<id>` or `tag:<id>`: what a save changed, and what its retag reports on. */
export type RetagTarget = `section:${string}` | `tag:${string}`;

export interface RetagStatus {
  /** queued → running → done | failed */
  state: 'queued' | 'running' | 'done' | 'failed';
  /** The rules version the save made (a later save's retag supersedes this one's). */
  version: number;
  /** Articles examined so far / in all. */
  done: number;
  total: number;
  /** Sections: articles that entered / left the section. Tags: articles that gained / lost it. */
  entered: number;
  left: number;
  error: string | null;
  updatedAt: string;
}

// Writes a retag status only if no later save's status is there (ARGV[1] = this job's version).
const SET_STATUS_IF_CURRENT = `
local cur = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if cur > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1`;

const parse = <T>(raw: Record<string, string>): Map<string, T> =>
  new Map(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as T]));

export function createRulesStore(redis: RedisClient, keys: Keys) {
  const bump = async (write: (m: ReturnType<RedisClient['multi']>) => void): Promise<number> => {
    const m = redis.multi();
    write(m);
    m.incr(keys.rulesVersion());
    const res = (await m.exec()) ?? [];
    const last = res[res.length - 1];
    if (!last || last[0]) throw last?.[0] ?? new Error('rules: transaction failed');
    return Number(last[1]);
  };
  return {
    /** The overlay's version (0 before the first save). */
    async version(): Promise<number> {
      return Number((await redis.get(keys.rulesVersion())) ?? 0);
    },

    async load(): Promise<RuleOverlay> {
      // Version first: an overlay read after it is at least that new (a save meanwhile is read
      // again at the next check, never missed).
      const version = await this.version();
      const [sections, tags] = await Promise.all([
        redis.hgetall(keys.rulesSections()),
        redis.hgetall(keys.rulesTags()),
      ]);
      return {
        version,
        sections: parse<SavedSectionRules>(sections),
        tags: parse<SavedTagKeywords>(tags),
      };
    },

    /** Saves a section's rules; returns the new overlay version. */
    saveSection(id: string, rules: SectionRules, now: Date): Promise<number> {
      const saved: SavedSectionRules = { ...rules, savedAt: now.toISOString() };
      return bump((m) => m.hset(keys.rulesSections(), id, JSON.stringify(saved)));
    },
    resetSection(id: string): Promise<number> {
      return bump((m) => m.hdel(keys.rulesSections(), id));
    },
    saveTag(id: string, keywords: string[], now: Date): Promise<number> {
      const saved: SavedTagKeywords = { keywords, savedAt: now.toISOString() };
      return bump((m) => m.hset(keys.rulesTags(), id, JSON.stringify(saved)));
    },
    resetTag(id: string): Promise<number> {
      return bump((m) => m.hdel(keys.rulesTags(), id));
    },

    async retagStatus(target: RetagTarget): Promise<RetagStatus | null> {
      const h = await redis.hgetall(keys.rulesRetag(target));
      if (!h.state) return null;
      const n = (k: string) => Number(h[k] ?? 0);
      return {
        state: h.state as RetagStatus['state'],
        version: n('version'),
        done: n('done'),
        total: n('total'),
        entered: n('entered'),
        left: n('left'),
        error: h.error || null,
        updatedAt: h.updatedAt ?? '',
      };
    },

    /** Writes `status` unless a later save's retag owns the target now; true when written. */
    async setRetagStatus(target: RetagTarget, status: RetagStatus): Promise<boolean> {
      const fields = Object.entries(status).flatMap(([k, v]) => [k, v === null ? '' : String(v)]);
      const res = await redis.eval(
        SET_STATUS_IF_CURRENT,
        1,
        keys.rulesRetag(target),
        String(status.version),
        ...fields,
      );
      return res === 1;
    },
  };
}

export type RulesStore = ReturnType<typeof createRulesStore>;
