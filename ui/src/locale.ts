// A desktop session whose locale is C or POSIX (a minimal Linux desktop, a service account) gives
// WebKit a `navigator.language` of "C", which is not a language tag: `Intl` then throws, and the
// chart library formats numbers with it as soon as it loads. This module is imported first, and
// gives such a session the language every `Intl` call can use.

/** The language to use: `language` when `Intl` accepts it, otherwise `fallback`. */
export function usableLanguage(language: string | undefined, fallback = 'en-US'): string {
  if (!language) {
    return fallback;
  }
  try {
    return Intl.NumberFormat.supportedLocalesOf([language]).length > 0 ? language : fallback;
  } catch {
    return fallback;
  }
}

if (typeof navigator !== 'undefined') {
  const usable = usableLanguage(navigator.language);
  if (usable !== navigator.language) {
    Object.defineProperty(Navigator.prototype, 'language', { get: () => usable, configurable: true });
  }
}
