// The fault suite runs bin/tributary.mjs, the built dist/: rebuild it first when it is stale.
import { ensureBuilt } from '../helpers/ensure-built.ts';

export default function setup() {
  ensureBuilt();
}
