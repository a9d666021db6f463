// Original file: proto/btrdb.proto

import type { ReducedResolutionRange as _v5api_ReducedResolutionRange, ReducedResolutionRange__Output as _v5api_ReducedResolutionRange__Output } from '../v5api/ReducedResolutionRange.js';
import type { Long } from '@grpc/proto-loader';

export interface SetCompactionConfigParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'CompactedVersion'?: (number | string | Long);
  'reducedResolutionRanges'?: (_v5api_ReducedResolutionRange)[];
  'unused0'?: (number | string | Long);
}

export interface SetCompactionConfigParams__Output {
  'uuid': (Buffer);
  'CompactedVersion': (string);
  'reducedResolutionRanges': (_v5api_ReducedResolutionRange__Output)[];
  'unused0': (string);
}
