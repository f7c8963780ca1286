// Characters XML 1.0 cannot carry: C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF.
// The one definition, for the parser (before XML parsing), normalize (every stored string) and
// the tests that check for them.
export const INVALID_XML_CHARS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Anything that might need stripping (surrogates too, paired or not): one cheap scan first. */
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;

export function stripInvalidXmlChars(s: string): string {
  // Most text has no controls and no astral characters: the lookaround pass is then skipped.
  return SUSPECT.test(s) ? s.replace(INVALID_XML_CHARS, '') : s;
}

/** True when `s` holds a character XML 1.0 forbids. */
export function hasInvalidXmlChars(s: string): boolean {
  if (!SUSPECT.test(s)) return false;
  INVALID_XML_CHARS.lastIndex = 0;
  const found = INVALID_XML_CHARS.test(s);
  INVALID_XML_CHARS.lastIndex = 0;
  return found;
}
