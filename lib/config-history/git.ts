import 'server-only';
// The git repository configuration versions are committed to, through the
// git command line (docs/decisions/013-configuration-history-in-git.md).
// Commits are made with plumbing (hash-object, mktree, commit-tree,
// update-ref) in a bare repository, so no work tree is ever checked out and a
// ref moves only from the commit it was read at (compare and swap). A local
// path is that repository; for a remote (https://…, ssh://…, git@host:…)
// Standby commits to a bare mirror in its state folder and pushes the branch.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchEnv, stateDir as defaultStateDir } from '@/lib/server/env';

export type Repository = {
  /** As configured: a path or a URL. */
  spec: string;
  remote: boolean;
  /** The bare repository commits are made in (the mirror, for a remote). */
  gitDir: string;
  branch: string;
};

export class GitError extends Error {}

const ZERO = '0'.repeat(40);
const GIT_TIMEOUT_MS = 60_000;

/** A URL git pushes to (https://…, ssh://…, git://…, file://…) or scp-like user@host:path; a plain path is the repository itself. */
export const isRemoteSpec = (spec: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) || /^[\w.-]+@[\w.-]+:/.test(spec);

export function repositoryOf(spec: string, branch = 'main', stateDir = defaultStateDir()): Repository {
  const remote = isRemoteSpec(spec);
  const local = path.resolve(spec);
  // A repository with a work tree: commits go to its branch, never to its files (use a branch that is not checked out).
  const gitDir = remote ? path.join(stateDir, 'config-history-mirror.git') : existsSync(path.join(local, '.git')) ? path.join(local, '.git') : local;
  return { spec, remote, branch, gitDir };
}

/** STANDBY_CONFIG_REPO (default: a repository in Standby's state folder) and STANDBY_CONFIG_BRANCH (default main). */
export function configuredRepository(): Repository {
  const { STANDBY_CONFIG_REPO, STANDBY_CONFIG_BRANCH } = launchEnv();
  return repositoryOf(STANDBY_CONFIG_REPO || path.join(defaultStateDir(), 'config-history.git'), STANDBY_CONFIG_BRANCH);
}

/** Where the repository is, as a person reads it (a URL's password left out). */
export function describeRepository(repo: Pick<Repository, 'spec' | 'remote'>): string {
  return repo.remote ? repo.spec.replace(/\/\/[^@/]+@/, '//') : repo.spec;
}

type GitOptions = { gitDir?: string; input?: string; env?: Record<string, string>; cwd?: string };

/** Runs git; resolves with its standard output, or rejects with its own words. */
export function runGit(args: string[], options: GitOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: {
        ...process.env,
        ...(options.gitDir ? { GIT_DIR: options.gitDir } : {}),
        // Never wait for a password prompt or an editor; messages in English for the page.
        GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', LC_ALL: 'C',
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), GIT_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new GitError(error.code === 'ENOENT' ? 'git is not installed on this server: install it (apt-get install git) so configuration versions also go to a repository.' : error.message));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new GitError(`git ${args[0]}: ${(err.trim().split('\n').filter(Boolean).at(-1) ?? '') || (signal ? `stopped by ${signal}` : `exit code ${code}`)}`));
    });
    // A command that exits without reading its input closes the pipe: not an error of ours.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Creates the bare repository (or the mirror of a remote) when it does not exist yet. */
export async function ensureRepository(repo: Repository): Promise<void> {
  if (!existsSync(path.join(repo.gitDir, 'HEAD'))) {
    mkdirSync(path.dirname(repo.gitDir), { recursive: true });
    await runGit(['init', '--bare', '--quiet', `--initial-branch=${repo.branch}`, repo.gitDir]);
  }
  if (repo.remote) {
    const remotes = await runGit(['remote'], { gitDir: repo.gitDir });
    if (!remotes.split('\n').includes('origin')) await runGit(['remote', 'add', 'origin', repo.spec], { gitDir: repo.gitDir });
    else await runGit(['remote', 'set-url', 'origin', repo.spec], { gitDir: repo.gitDir });
  }
}

/** The branch's commit, or null before the first. */
export async function headOf(repo: Repository): Promise<string | null> {
  const out = await runGit(['rev-parse', '--verify', '--quiet', `refs/heads/${repo.branch}`], { gitDir: repo.gitDir }).catch(() => '');
  return out.trim() || null;
}

/** For a remote: brings the mirror's branch to the remote's (someone else may have pushed). */
export async function fetchRemote(repo: Repository): Promise<void> {
  if (!repo.remote) return;
  try {
    await runGit(['fetch', '--quiet', 'origin', `+refs/heads/${repo.branch}:refs/heads/${repo.branch}`], { gitDir: repo.gitDir });
  } catch (error) {
    // An empty remote has no branch yet: the first push creates it.
    if (!(error instanceof GitError && /couldn't find remote ref/i.test(error.message))) throw error;
  }
}

/** The Standby-Version trailer of the branch's newest commit, with that commit. */
export async function newestCommittedVersion(repo: Repository): Promise<{ commit: string; number: number } | null> {
  const head = await headOf(repo);
  if (!head) return null;
  const body = await runGit(['log', '-1', '--format=%B', head], { gitDir: repo.gitDir });
  const match = /^Standby-Version: (\d+)$/m.exec(body);
  return match ? { commit: head, number: Number(match[1]) } : { commit: head, number: 0 };
}

export type CommitMeta = { subject: string; body: string; authorName: string; authorEmail: string; at: Date };

/** One commit holding exactly `files` (name → content) on top of the branch; returns its id. */
export async function commitFiles(repo: Repository, files: ReadonlyMap<string, string>, meta: CommitMeta): Promise<string> {
  const entries: string[] = [];
  for (const [name, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const blob = (await runGit(['hash-object', '-w', '--stdin'], { gitDir: repo.gitDir, input: content })).trim();
    entries.push(`100644 blob ${blob}\t${name}`);
  }
  const tree = (await runGit(['mktree'], { gitDir: repo.gitDir, input: `${entries.join('\n')}\n` })).trim();
  const parent = await headOf(repo);
  const date = `${Math.floor(meta.at.getTime() / 1000)} +0000`;
  const commit = (
    await runGit(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'], {
      gitDir: repo.gitDir,
      input: `${meta.subject}\n\n${meta.body}\n`,
      env: {
        GIT_AUTHOR_NAME: meta.authorName, GIT_AUTHOR_EMAIL: meta.authorEmail, GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: 'Standby', GIT_COMMITTER_EMAIL: 'standby@localhost', GIT_COMMITTER_DATE: date,
      },
    })
  ).trim();
  // Compare and swap: fails if the branch moved since it was read.
  await runGit(['update-ref', `refs/heads/${repo.branch}`, commit, parent ?? ZERO], { gitDir: repo.gitDir });
  return commit;
}

export async function pushRemote(repo: Repository): Promise<void> {
  if (repo.remote) await runGit(['push', '--quiet', 'origin', `refs/heads/${repo.branch}:refs/heads/${repo.branch}`], { gitDir: repo.gitDir });
}

/** The files of one commit of a repository (a path or a URL), for a rebuild. */
export async function readCommit(spec: string, ref: string | null, fileNames: readonly string[]): Promise<{ commit: string; subject: string; files: Map<string, string> }> {
  let gitDir = repositoryOf(spec).gitDir;
  let scratch: string | null = null;
  try {
    if (isRemoteSpec(spec)) {
      scratch = mkdtempSync(path.join(tmpdir(), 'standby-rebuild-'));
      gitDir = path.join(scratch, 'repo.git');
      await runGit(['clone', '--quiet', '--bare', ...(ref ? [] : ['--depth', '1']), spec, gitDir]);
    } else if (!existsSync(/*turbopackIgnore: true*/ gitDir)) {
      throw new GitError(`No repository at ${spec}.`);
    }
    const resolved = ref ?? 'HEAD';
    const [commit, subject] = (await runGit(['log', '-1', '--format=%H%n%s', resolved], { gitDir })).trim().split('\n');
    const listed = new Set((await runGit(['ls-tree', '--name-only', commit], { gitDir })).split('\n').filter(Boolean));
    const files = new Map<string, string>();
    for (const name of fileNames) if (listed.has(name)) files.set(name, await runGit(['show', `${commit}:${name}`], { gitDir }));
    return { commit, subject: subject ?? '', files };
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
