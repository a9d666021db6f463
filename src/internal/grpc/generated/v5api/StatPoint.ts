// Original file: proto/btrdb.proto

import type { Long } from '@grpc/proto-loader';

export interface StatPoint {
  'time'?: (number | string | Long);
  'min'?: (number | string);
  'mean'?: (number | string);
  'max'?: (number | string);
  'count'?: (number | string | Long);
  'stddev'?: (number | string);
}

export interface StatPoint__Output {
  'time': (string);
  'min': (number);
  'mean': (number);
  'max': (number);
  'count': (string);
  'stddev': (number);
}
