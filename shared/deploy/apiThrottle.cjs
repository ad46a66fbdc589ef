// A local serverless plugin: throttles every method of the REST API's stage (custom.apiThrottle),
// whatever apiAuth is. serverless v3 makes the stage through its AWS::ApiGateway::Deployment (whose
// logical id changes on every package), so the limits are set there, on StageDescription.
class ApiThrottle {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.throttle() };
  }

  throttle() {
    const { rateLimit, burstLimit } = this.serverless.service.custom.apiThrottle ?? {};
    const rate = Number(rateLimit);
    const burst = Number(burstLimit);
    if (!(rate > 0) || !Number.isInteger(burst) || burst < 1) {
      throw new Error(`custom.apiThrottle needs a rateLimit > 0 and a whole burstLimit ≥ 1, got ${rateLimit} / ${burstLimit}`);
    }
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::ApiGateway::Deployment') continue;
      resource.Properties.StageDescription = {
        ThrottlingRateLimit: rate,
        ThrottlingBurstLimit: burst,
        MethodSettings: [{ ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst }],
      };
    }
  }
}

module.exports = ApiThrottle;
