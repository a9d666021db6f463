// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';
import type { Mash as _v5api_Mash, Mash__Output as _v5api_Mash__Output } from '../v5api/Mash.js';
import type { ProxyInfo as _v5api_ProxyInfo, ProxyInfo__Output as _v5api_ProxyInfo__Output } from '../v5api/ProxyInfo.js';

export interface InfoResponse {
  'stat'?: (_v5api_Status | null);
  'mash'?: (_v5api_Mash | null);
  'majorVersion'?: (number);
  'minorVersion'?: (number);
  'build'?: (string);
  'proxy'?: (_v5api_ProxyInfo | null);
}

export interface InfoResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'mash': (_v5api_Mash__Output | null);
  'majorVersion': (number);
  'minorVersion': (number);
  'build': (string);
  'proxy': (_v5api_ProxyInfo__Output | null);
}
