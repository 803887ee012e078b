// aws-ses-v2-local in process: shared with local mode.
export * from '../../lib/local/ses';
