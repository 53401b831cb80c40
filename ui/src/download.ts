// Saves text the backend produced (a CSV export) as a file, the way a browser saves a download.

/** Offers `text` as a download named `fileName`; works in a browser tab and in the desktop webview. */
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
