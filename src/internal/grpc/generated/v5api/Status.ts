// Original file: proto/btrdb.proto

import type { Mash as _v5api_Mash, Mash__Output as _v5api_Mash__Output } from '../v5api/Mash.js';

export interface Status {
  'code'?: (number);
  'msg'?: (string);
  'mash'?: (_v5api_Mash | null);
}

export interface Status__Output {
  'code': (number);
  'msg': (string);
  'mash': (_v5api_Mash__Output | null);
}
