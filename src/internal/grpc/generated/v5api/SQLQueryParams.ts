// Original file: proto/btrdb.proto

import type { Role as _v5api_Role, Role__Output as _v5api_Role__Output } from '../v5api/Role.js';

export interface SQLQueryParams {
  'query'?: (string);
  'params'?: (string)[];
  'role'?: (_v5api_Role | null);
}

export interface SQLQueryParams__Output {
  'query': (string);
  'params': (string)[];
  'role': (_v5api_Role__Output | null);
}
