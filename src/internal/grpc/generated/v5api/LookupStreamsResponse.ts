// Original file: proto/btrdb.proto

import type { Status as _v5api_Status, Status__Output as _v5api_Status__Output } from '../v5api/Status.js';
import type { StreamDescriptor as _v5api_StreamDescriptor, StreamDescriptor__Output as _v5api_StreamDescriptor__Output } from '../v5api/StreamDescriptor.js';

export interface LookupStreamsResponse {
  'stat'?: (_v5api_Status | null);
  'results'?: (_v5api_StreamDescriptor)[];
}

export interface LookupStreamsResponse__Output {
  'stat': (_v5api_Status__Output | null);
  'results': (_v5api_StreamDescriptor__Output)[];
}
