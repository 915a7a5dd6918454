/**
 * The state behind the stand-in: the configured repositories and, per repository, its issues,
 * comments, pull requests and deployments. Issues and pulls share one number sequence per
 * repository, as on GitHub; ids are global.
 */
import { isoSeconds, type CommentState, type DeploymentState } from './shapes.ts';
import type { IssueState, PullState } from './shapes.ts';

export interface NewIssue {
  title: string;
  body?: string | null;
  labels?: string[];
  assignees?: string[];
  author: string;
}

/** Seeding input for `addPulls`: every field is optional. */
export type PullInput = Partial<PullState>;
/** Seeding input for `addDeployments`: every field is optional. */
export type DeploymentInput = Partial<DeploymentState>;

interface RepoState {
  nextNumber: number;
  issues: Map<number, IssueState>;
  comments: CommentState[];
  pulls: PullState[];
  deployments: DeploymentState[];
}

export class Repositories {
  private readonly repos = new Map<string, RepoState>();
  private nextId = 3_000_000_000;

  constructor(
    names: readonly string[],
    readonly now: () => number,
  ) {
    for (const name of names) {
      if (!/^[\w.-]+\/[\w.-]+$/.test(name)) throw new Error(`GitHubStandIn: bad repo ${name}`);
      this.repos.set(name.toLowerCase(), emptyRepo());
    }
  }

  /** GitHub matches owner and repository names case-insensitively. */
  has(owner: string, repo: string): boolean {
    return this.repos.has(key(owner, repo));
  }

  issues(owner: string, repo: string): IssueState[] {
    return [...this.get(owner, repo).issues.values()];
  }

  issue(owner: string, repo: string, number: number): IssueState | undefined {
    return this.get(owner, repo).issues.get(number);
  }

  comments(owner: string, repo: string, number: number): CommentState[] {
    return this.get(owner, repo).comments.filter((comment) => comment.issueNumber === number);
  }

  pulls(owner: string, repo: string): PullState[] {
    return this.get(owner, repo).pulls;
  }

  deployments(owner: string, repo: string): DeploymentState[] {
    return this.get(owner, repo).deployments;
  }

  createIssue(owner: string, repo: string, input: NewIssue): IssueState {
    const state = this.get(owner, repo);
    const at = isoSeconds(this.now());
    const issue: IssueState = {
      id: this.id(),
      owner,
      repo,
      number: (state.nextNumber += 1),
      title: input.title,
      body: input.body ?? null,
      state: 'open',
      stateReason: null,
      labels: [...new Set(input.labels ?? [])],
      assignees: [...new Set(input.assignees ?? [])],
      author: input.author,
      commentCount: 0,
      createdAt: at,
      updatedAt: at,
      closedAt: null,
    };
    state.issues.set(issue.number, issue);
    return issue;
  }

  /** Opens or closes an issue with GitHub's `state_reason` rules; touches `updated_at`. */
  setState(
    issue: IssueState,
    state: 'open' | 'closed',
    reason: IssueState['stateReason'] | undefined,
  ): void {
    const at = isoSeconds(this.now());
    if (state === 'closed') {
      if (issue.state === 'open') issue.closedAt = at;
      issue.stateReason = reason ?? (issue.state === 'closed' ? issue.stateReason : 'completed');
    } else {
      issue.stateReason = issue.state === 'closed' ? 'reopened' : (reason ?? issue.stateReason);
      issue.closedAt = null;
    }
    issue.state = state;
    issue.updatedAt = at;
  }

  touch(issue: IssueState): void {
    issue.updatedAt = isoSeconds(this.now());
  }

  addComment(issue: IssueState, body: string, author: string): CommentState {
    const at = isoSeconds(this.now());
    const comment: CommentState = {
      id: this.id(),
      owner: issue.owner,
      repo: issue.repo,
      issueNumber: issue.number,
      body,
      author,
      createdAt: at,
      updatedAt: at,
    };
    this.get(issue.owner, issue.repo).comments.push(comment);
    issue.commentCount += 1;
    issue.updatedAt = at;
    return comment;
  }

  addPulls(owner: string, repo: string, inputs: readonly PullInput[]): PullState[] {
    const state = this.get(owner, repo);
    const added = inputs.map((input, index) => {
      const at = isoSeconds(this.now() - (inputs.length - index) * 60_000);
      const number = input.number ?? (state.nextNumber += 1);
      const closed = input.state === 'closed';
      return {
        id: this.id(),
        number,
        title: `Pull request #${number}`,
        state: 'open' as const,
        author: 'octo-dev',
        headRef: `feature-${number}`,
        headSha: fakeSha(`pull-${owner}/${repo}-${number}`),
        baseRef: 'main',
        mergeCommitSha: closed ? fakeSha(`merge-${owner}/${repo}-${number}`) : null,
        createdAt: at,
        updatedAt: at,
        closedAt: closed ? at : null,
        mergedAt: closed ? at : null,
        ...input,
      };
    });
    state.pulls.push(...added);
    return added;
  }

  addDeployments(
    owner: string,
    repo: string,
    inputs: readonly DeploymentInput[],
  ): DeploymentState[] {
    const state = this.get(owner, repo);
    const added = inputs.map((input, index) => {
      const at = isoSeconds(this.now() - (inputs.length - index) * 60_000);
      const id = this.id();
      return {
        id,
        sha: fakeSha(`deployment-${id}`),
        ref: 'main',
        task: 'deploy',
        environment: 'production',
        description: null,
        creator: 'deploy-bot',
        createdAt: at,
        updatedAt: at,
        ...input,
      };
    });
    state.deployments.push(...added);
    return added;
  }

  clear(): void {
    for (const name of this.repos.keys()) this.repos.set(name, emptyRepo());
  }

  private get(owner: string, repo: string): RepoState {
    const state = this.repos.get(key(owner, repo));
    if (state === undefined) throw new Error(`GitHubStandIn: no repository ${owner}/${repo}`);
    return state;
  }

  private id(): number {
    return (this.nextId += 1);
  }
}

function key(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase();
}

function emptyRepo(): RepoState {
  return { nextNumber: 0, issues: new Map(), comments: [], pulls: [], deployments: [] };
}

/** A stable 40-hex-digit stand-in for a commit SHA. */
function fakeSha(seed: string): string {
  let hex = '';
  for (let round = 0; hex.length < 40; round += 1) {
    let hash = 2166136261 ^ round;
    for (const char of seed) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
    hex += (hash >>> 0).toString(16).padStart(8, '0');
  }
  return hex.slice(0, 40);
}
