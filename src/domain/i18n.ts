/** User-facing languages. zh-CN is the default everywhere; English is on request. */
export type Lang = 'zh-CN' | 'en';

export const DEFAULT_LANG: Lang = 'zh-CN';

/** A piece of user-facing text in both languages. */
export interface Text {
  'zh-CN': string;
  en: string;
}

/** Builds a bilingual text. */
export function text(zh: string, en: string): Text {
  return { 'zh-CN': zh, en };
}

/** Reads a language preference ("en", "en-US", "zh", "zh-CN,zh;q=0.9") into a Lang; zh-CN unless English is asked for. */
export function parseLang(value: string | undefined | null): Lang {
  if (!value) return DEFAULT_LANG;
  const first = value.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : DEFAULT_LANG;
}

/** Picks the text in one language. */
export function say(t: Text, lang: Lang): string {
  return t[lang];
}

/**
 * A value someone typed, as a message quotes it: text as it is, anything else as JSON — an object
 * is `{"a":1}`, never "[object Object]"; a missing one is "(空)" / "(empty)" as the language
 * needs it, so give `lang` where the message is one language's — and cut to 60 characters.
 */
export function shown(value: unknown, lang: Lang = DEFAULT_LANG): string {
  if (value === undefined) return lang === 'en' ? '(empty)' : '（空）';
  let out: string;
  if (typeof value === 'string') out = value;
  else {
    try {
      out = JSON.stringify(value) ?? String(value);
    } catch {
      out = String(value);
    }
  }
  return out.length > 60 ? `${out.slice(0, 60)}…` : out;
}
