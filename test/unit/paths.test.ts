/**
 * The shared path rules (extension/common/paths.ts) under Windows' rules and POSIX's, whatever this machine
 * is: `path.win32` / `path.posix` are passed in. Links are followed on this machine's real file system, and
 * through a stand-in file system for Windows drives and shares.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { posix, win32, join } from 'node:path';
import {
  canonicalPath,
  fileOfUri,
  isPathInside,
  isRealPathInside,
  reportPathOf,
  type RealPaths,
} from '../../extension/common/paths';
import { freshDir } from '../helpers/paths';

test('file: URIs become the file paths VS Code means, on Windows and POSIX', () => {
  // VS Code writes a drive's colon as %3A and lower-cases the drive letter.
  assert.equal(fileOfUri('file:///c%3A/Users/Me/exp/seed.prompt', win32), 'c:\\Users\\Me\\exp\\seed.prompt');
  assert.equal(fileOfUri('file:///D:/my%20lab/a.prompt', win32), 'D:\\my lab\\a.prompt');
  assert.equal(fileOfUri('file://fileserver/share/lab/a.prompt', win32), '\\\\fileserver\\share\\lab\\a.prompt');
  assert.equal(fileOfUri('file:///home/me/my%20lab/a.prompt', posix), '/home/me/my lab/a.prompt');
  assert.equal(fileOfUri('FILE:///home/me/a.prompt', posix), '/home/me/a.prompt');
  // Nothing a file system can open: other schemes, a POSIX path under Windows, a host under POSIX.
  assert.equal(fileOfUri('untitled:Untitled-1', win32), undefined);
  assert.equal(fileOfUri('vscode-notebook-cell:/x.ipynb#c1', posix), undefined);
  assert.equal(fileOfUri('file:///home/me/a.prompt', win32), undefined);
  assert.equal(fileOfUri('file://fileserver/share/a.prompt', posix), undefined);
});

test('inside a folder on Windows: any case, either separator, `..` resolved, never another drive or share', () => {
  const ws = 'C:\\Users\\Me\\Lab';
  const inside = (p: string) => isPathInside(ws, p, win32);
  assert.ok(inside('C:\\Users\\Me\\Lab'));
  assert.ok(inside('c:\\users\\me\\lab\\models\\config.json'), 'drive letter and names in another case');
  assert.ok(inside('C:/Users/Me/Lab/models/config.json'), 'forward slashes');
  assert.ok(inside('C:\\Users\\Me\\Lab\\models\\..\\config.json'));
  assert.ok(inside('C:\\Users\\Me\\Lab\\..secret\\x'), 'a name that starts with two dots is inside');
  assert.ok(!inside('C:\\Users\\Me\\Lab\\..\\secret.json'), '`..` out of the folder');
  assert.ok(!inside('C:\\Users\\Me\\Lab2\\x.json'), 'a sibling whose name starts the same');
  assert.ok(!inside('C:\\Users\\Me'));
  assert.ok(!inside('D:\\Users\\Me\\Lab\\x.json'), 'another drive');
  assert.ok(!inside('\\\\server\\share\\Users\\Me\\Lab\\x.json'), 'a share');

  const share = '\\\\Server\\Share\\Lab';
  assert.ok(isPathInside(share, '\\\\server\\share\\lab\\a\\b.json', win32));
  assert.ok(isPathInside(share, '//server/share/Lab/a.json', win32));
  assert.ok(!isPathInside(share, '\\\\server\\other\\Lab\\a.json', win32), 'another share on the same server');
  assert.ok(!isPathInside(share, '\\\\server\\share\\Lab\\..\\x', win32));
  assert.ok(isPathInside('C:\\', 'C:\\anything\\at\\all', win32), 'a drive root holds its drive');
});

test('inside a folder on POSIX: case counts, `..` resolved, prefixes are not parents', () => {
  assert.ok(isPathInside('/home/me/lab', '/home/me/lab/models/../config.json', posix));
  assert.ok(!isPathInside('/home/me/lab', '/home/me/lab/../../../etc/passwd', posix));
  assert.ok(!isPathInside('/home/me/lab', '/home/me/lab2/config.json', posix));
  assert.ok(!isPathInside('/home/me/lab', '/home/me/Lab/config.json', posix));
  assert.ok(isPathInside('/home/me/lab/', '/home/me/lab', posix), 'a trailing separator changes nothing');
  assert.ok(isPathInside('/', '/etc', posix));
});

test('links are followed: a link inside that leads out is outside, a link outside that leads in is inside', () => {
  const root = freshDir('plab-paths-');
  const ws = join(root, 'workspace');
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(join(ws, 'models'), { recursive: true });
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, 'secret.json'), '{}');
  symlinkSync(elsewhere, join(ws, 'escape'));
  symlinkSync(join(ws, 'models'), join(elsewhere, 'into-workspace'));

  assert.ok(isPathInside(ws, join(ws, 'escape', 'secret.json')), 'lexically inside…');
  assert.ok(!isRealPathInside(ws, join(ws, 'escape', 'secret.json')), '…really outside');
  assert.ok(isRealPathInside(ws, join(elsewhere, 'into-workspace', 'config.json')), 'not yet written, still inside');
  assert.ok(isRealPathInside(join(elsewhere, 'into-workspace'), join(ws, 'models', 'a.json')), 'a linked parent');
  assert.equal(canonicalPath(join(ws, 'escape', 'not', 'there.json')), join(elsewhere, 'not', 'there.json'));
});

test('links on Windows drives and shares, through a stand-in file system', () => {
  // Canonical names as Windows' GetFinalPathNameByHandle gives them: stored case, links resolved.
  const links: Record<string, string> = {
    'c:\\lab': 'C:\\Lab',
    'c:\\lab\\models': 'C:\\Lab\\models',
    'c:\\lab\\escape': 'D:\\Elsewhere',
    'c:\\temp\\into-lab': 'C:\\Lab\\models',
    'c:\\temp': 'C:\\Temp',
    'd:\\elsewhere': 'D:\\Elsewhere',
    '\\\\server\\share\\': '\\\\server\\share\\',
    '\\\\server\\share\\lab': 'C:\\Lab',
  };
  const fs: RealPaths = {
    realpath(p) {
      const real = links[p.toLowerCase()];
      if (!real) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      return real;
    },
  };
  assert.equal(canonicalPath('C:\\LAB\\models\\x.json', fs, win32), 'C:\\Lab\\models\\x.json');
  assert.ok(!isRealPathInside('C:\\Lab', 'c:/lab/escape/secret.json', fs, win32), 'a link to another drive');
  assert.ok(isRealPathInside('C:\\Lab', 'C:\\Temp\\into-lab\\config.json', fs, win32), 'a link into the folder');
  assert.ok(isRealPathInside('C:\\Lab', '\\\\server\\share\\lab\\models\\a.json', fs, win32), 'a share mapped onto it');
  assert.ok(!isRealPathInside('C:\\Lab', 'C:\\Lab\\..\\Temp\\x.json', fs, win32));
});

test('the exported report sits beside its .prompt file, whatever the case of the extension', () => {
  assert.equal(reportPathOf('C:\\Users\\Me\\Lab\\seed.PROMPT', win32), 'C:\\Users\\Me\\Lab\\seed.report.json');
  assert.equal(reportPathOf('\\\\server\\share\\seed.prompt', win32), '\\\\server\\share\\seed.report.json');
  assert.equal(reportPathOf('/home/me/lab/seed.prompt', posix), '/home/me/lab/seed.report.json');
  assert.equal(reportPathOf('/home/me/lab/v1.2.prompt', posix), '/home/me/lab/v1.2.report.json');
  assert.equal(reportPathOf('/home/me/lab/notes.txt', posix), '/home/me/lab/notes.txt.report.json');
});
