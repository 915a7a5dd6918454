/**
 * GitHub's page-number pagination: `per_page` (default 30, at most 100) and `page` (from 1), and
 * a `Link` header with `prev`, `next`, `last` and `first` URLs that keep the other query
 * parameters, which is what Octokit's `paginate` follows.
 */
export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

export function paginate<T>(items: readonly T[], requestUrl: URL, apiBase: string): Page<T> {
  const perPage = clamp(Number.parseInt(requestUrl.searchParams.get('per_page') ?? '', 10), 30);
  const page = Math.max(1, Number.parseInt(requestUrl.searchParams.get('page') ?? '', 10) || 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const pageItems = items.slice((page - 1) * perPage, page * perPage);

  const link = (target: number, rel: string) => {
    const url = new URL(`${apiBase}${requestUrl.pathname}${requestUrl.search}`);
    url.searchParams.set('page', String(target));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, lastPage), 'prev'));
  if (page < lastPage) links.push(link(page + 1, 'next'), link(lastPage, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  return { items: pageItems, headers: links.length > 0 ? { Link: links.join(', ') } : {} };
}

function clamp(perPage: number, fallback: number): number {
  if (!Number.isFinite(perPage) || perPage < 1) return fallback;
  return Math.min(perPage, 100);
}
