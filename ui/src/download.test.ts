import { afterEach, describe, expect, it, vi } from 'vitest';
import { exportNotice, finishExport } from './download';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('finishing an export', () => {
  it('says where the desktop app saved the file and downloads nothing', () => {
    const createElement = vi.fn();
    vi.stubGlobal('document', { createElement });
    const path = '/home/ana/Downloads/tillbridge-mapping-20261127-134800.csv';
    expect(finishExport({ savedTo: path }, 'unused.csv'), 'the operator must learn where the file is').toBe(
      `Saved to ${path}`,
    );
    expect(createElement, 'a download link does nothing in the desktop web view, so none is made').not.toHaveBeenCalled();
  });

  it('downloads the CSV in a browser under the given name and says nothing itself', () => {
    const link = { href: '', download: '', style: { display: '' }, click: vi.fn(), remove: vi.fn() };
    const appended: unknown[] = [];
    vi.stubGlobal('document', {
      createElement: vi.fn(() => link),
      body: { appendChild: (el: unknown) => appended.push(el) },
    });
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return 'blob:csv';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});

    const notice = finishExport({ csv: 'a,b\n1,2\n' }, 'tillbridge-changes-2026-11-27.csv');
    expect(notice, "the browser's own download bar says where the file went").toBeNull();
    expect(link.download, 'the file gets the name the screen chose').toBe('tillbridge-changes-2026-11-27.csv');
    expect(link.click, 'the download is started').toHaveBeenCalledTimes(1);
    expect(appended, 'the link is in the page while it is clicked, as Firefox needs').toEqual([link]);
    expect(blobs[0]?.size, 'the whole CSV goes into the file').toBe('a,b\n1,2\n'.length);
  });

  it('has no notice for a browser export', () => {
    expect(exportNotice({ csv: '' }), 'only a desktop save has a path to show').toBeNull();
  });
});
