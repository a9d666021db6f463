// Original file: proto/btrdb.proto

import type { KeyOptValue as _v5api_KeyOptValue, KeyOptValue__Output as _v5api_KeyOptValue__Output } from '../v5api/KeyOptValue.js';
import type { Role as _v5api_Role, Role__Output as _v5api_Role__Output } from '../v5api/Role.js';

export interface LookupStreamsParams {
  'collection'?: (string);
  'isCollectionPrefix'?: (boolean);
  'tags'?: (_v5api_KeyOptValue)[];
  'annotations'?: (_v5api_KeyOptValue)[];
  'role'?: (_v5api_Role | null);
}

export interface LookupStreamsParams__Output {
  'collection': (string);
  'isCollectionPrefix': (boolean);
  'tags': (_v5api_KeyOptValue__Output)[];
  'annotations': (_v5api_KeyOptValue__Output)[];
  'role': (_v5api_Role__Output | null);
}
