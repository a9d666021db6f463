// Original file: proto/btrdb.proto


export interface RoundSpec {
  'bits'?: (number);
  'spec'?: "bits";
}

export interface RoundSpec__Output {
  'bits'?: (number);
  'spec'?: "bits";
}
