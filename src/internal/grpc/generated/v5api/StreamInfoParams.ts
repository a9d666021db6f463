// Original file: proto/btrdb.proto

import type { Role as _v5api_Role, Role__Output as _v5api_Role__Output } from '../v5api/Role.js';

export interface StreamInfoParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'omitVersion'?: (boolean);
  'omitDescriptor'?: (boolean);
  'role'?: (_v5api_Role | null);
}

export interface StreamInfoParams__Output {
  'uuid': (Buffer);
  'omitVersion': (boolean);
  'omitDescriptor': (boolean);
  'role': (_v5api_Role__Output | null);
}
