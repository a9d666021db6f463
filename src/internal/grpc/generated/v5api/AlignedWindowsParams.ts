// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface AlignedWindowsParams {
  'uuid'?: (Buffer | Uint8Array | string);
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
  'versionMajor'?: (number | string | Long);
  'pointWidth'?: (number);
}

export interface AlignedWindowsParams__Output {
  'uuid': (Buffer);
  'start': (string);
  'end': (string);
  'versionMajor': (string);
  'pointWidth': (number);
}
