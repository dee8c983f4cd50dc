/**
 * Alibaba Cloud region ids where OSS, Tablestore and DataWorks are all offered. A region outside this list is
 * refused at synthesis rather than failing half-way through a deploy.
 */
export const SUPPORTED_REGIONS: readonly string[] = [
  'cn-hangzhou',
  'cn-shanghai',
  'cn-qingdao',
  'cn-beijing',
  'cn-zhangjiakou',
  'cn-huhehaote',
  'cn-wulanchabu',
  'cn-shenzhen',
  'cn-chengdu',
  'cn-hongkong',
  'ap-southeast-1',
  'ap-southeast-3',
  'ap-southeast-5',
  'ap-northeast-1',
  'us-east-1',
  'us-west-1',
  'eu-central-1',
  'eu-west-1',
  'me-east-1',
];
