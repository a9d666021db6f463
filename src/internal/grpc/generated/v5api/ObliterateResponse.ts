// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';

export interface ObliterateResponse {
  'stat'?: (_v5api_Status | null);
}

export interface ObliterateResponse__Output {
  'stat': (_v5api_Status__Output | null);
}
