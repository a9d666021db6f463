// Original file: proto/btrdb.proto

import type { Role as _v5api_Role, Role__Output as _v5api_Role__Output } from '../v5api/Role.js';

export interface MetadataUsageParams {
  'prefix'?: (string);
  'role'?: (_v5api_Role | null);
}

export interface MetadataUsageParams__Output {
  'prefix': (string);
  'role': (_v5api_Role__Output | null);
}
