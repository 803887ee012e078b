// The local Step Functions runner lives with local mode, which runs it outside tests too.
export * from '../../lib/local/step-functions';
