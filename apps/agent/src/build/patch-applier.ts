import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SAFE_PATH_RE } from '@pfnlab/contracts';
import { BuildStop } from './build-types';
import { lastLines, runCommand } from './command-runner';

export interface AppliedPatch {
  file: string;
  sha256: string;
  /** Subject lines of the mails in it (`[PATCH 1/2] mm: ...` → `mm: ...`). */
  subjects: string[];
}

// git am commits: a fixed identity keeps the commits (and so the build) reproducible.
const GIT_IDENTITY = ['-c', 'user.name=pfnlab', '-c', 'user.email=pfnlab@localhost', '-c', 'commit.gpgsign=false'];

/**
 * Applies patch files and mboxes in order with `git am --3way`. A patch that
 * does not apply is a build FAIL naming the file and the mail's subject,
 * with git am's own message; the half-done am is aborted.
 */
export class PatchApplier {
  /** Checks the files before any work is done; returns their hashes and subjects. */
  static inspect(files: readonly string[]): AppliedPatch[] {
    return files.map((file) => {
      if (!path.isAbsolute(file) || !SAFE_PATH_RE.test(file)) throw new BuildStop('ERROR', `patch path "${file}" is not a safe absolute path`);
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (e) {
        throw new BuildStop('ERROR', `cannot read patch ${file}: ${(e as Error).message}`);
      }
      return { file, sha256: createHash('sha256').update(bytes).digest('hex'), subjects: mailSubjects(bytes.toString('utf8')) };
    });
  }

  async apply(worktree: string, patches: readonly AppliedPatch[]): Promise<void> {
    for (const [i, p] of patches.entries()) {
      const r = await runCommand(['git', ...GIT_IDENTITY, '-C', worktree, 'am', '--3way', '--keep-cr', '--', p.file]);
      if (r.code === 0) continue;
      await runCommand(['git', '-C', worktree, 'am', '--abort']);
      // git am says which mail of an mbox failed: "Patch failed at 0002 mm: foo".
      const failedAt = /^Patch failed at \d+ (.+)$/m.exec(r.output)?.[1]?.trim();
      const subject = failedAt ?? p.subjects[0] ?? '(no subject)';
      const title = `patch ${i + 1}/${patches.length} ${path.basename(p.file)} does not apply: ${subject}`;
      throw new BuildStop('FAIL', title, amMessage(r.output));
    }
  }
}

/** The Subject: headers of a patch or mbox, without the `[PATCH v2 1/3]` tag; folded headers joined. */
export function mailSubjects(text: string): string[] {
  const out: string[] = [];
  const re = /^Subject:[ \t]*(.*(?:\r?\n[ \t]+.*)*)/gm;
  for (let m = re.exec(text); m && out.length < 1000; m = re.exec(text)) {
    out.push(m[1].replace(/\r?\n[ \t]+/g, ' ').replace(/^\[[^\]]{0,100}\]\s*/, '').trim().slice(0, 300));
  }
  return out;
}

/** git am's explanation, without its advice on --continue/--skip (the worktree is gone by then). */
function amMessage(output: string): string {
  const lines = output.split('\n').filter((l) => l.trim() !== '' && !/^(hint:|When you have resolved|If you prefer to skip|To restore the original|Use 'git am --show-current-patch)/.test(l));
  return lastLines(lines.join('\n'), 20);
}
