/** Listing of the objects under a window directory. */
import type { OssClient } from './oss-client';

export interface ListedWindowObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/** Every object under `directory` (ListObjectsV2, all pages), in key order. */
export async function listWindowObjects(client: OssClient, directory: string): Promise<ListedWindowObject[]> {
  const out: ListedWindowObject[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await client.listV2({ prefix: directory, 'max-keys': '1000', ...(token ? { 'continuation-token': token } : {}) });
    for (const o of page.objects) out.push({ key: o.name, size: o.size, etag: o.etag });
    if (!page.isTruncated || !page.nextContinuationToken) break;
    token = page.nextContinuationToken;
  }
  return out;
}
