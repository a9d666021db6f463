// Original file: proto/btrdb.proto

import type { Role as _v5api_Role, Role__Output as _v5api_Role__Output } from '../v5api/Role.js';

export interface ListCollectionsParams {
  'prefix'?: (string);
  'role'?: (_v5api_Role | null);
}

export interface ListCollectionsParams__Output {
  'prefix': (string);
  'role': (_v5api_Role__Output | null);
}
