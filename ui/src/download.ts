// Saves text the backend produced (a CSV export) as a file, the way a browser saves a download.

import type { CsvExport } from './api';

/** Offers `text` as a download named `fileName`. Only a browser tab saves it; see `finishExport`. */
export function saveTextFile(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked on the next turn: some engines start reading the blob only after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * What to tell the operator after an export: where the desktop app saved the file, or null when a
 * browser got the CSV (its own download bar says where it went).
 */
export function exportNotice(result: CsvExport): string | null {
  return 'savedTo' in result ? `Saved to ${result.savedTo}` : null;
}

/**
 * Finishes an export: a browser downloads the CSV as `fileName`; the desktop app's backend has
 * saved the file already (its web view ignores download links). Answers `exportNotice`.
 */
export function finishExport(result: CsvExport, fileName: string): string | null {
  if ('csv' in result) {
    saveTextFile(fileName, result.csv);
  }
  return exportNotice(result);
}
