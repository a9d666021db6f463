// Original file: proto/btrdb.proto


export interface InfoParams {
}

export interface InfoParams__Output {
}
