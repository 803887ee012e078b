/** The reports feature's published port: campaign progress and the campaign report. */
export { reportsFeature, REPORT_SCORE_HISTORY_ACCOUNTS, type ReportService } from './campaign-report';
export { CampaignList, CampaignReport, CampaignView } from './contract';
