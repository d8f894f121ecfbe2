import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { presetCatalog } from '../../domain/preset-law.js';
import { notFound } from '../../errors.js';
import { problems } from '../../http/openapi.js';
import { roles } from '../api-keys/api-keys.table.js';
import { presetListSchema, presetParams, presetSchema } from './rule-set-presets.schemas.js';

const tags = ['rule-set-presets'];
// The presets restate public law: any key may read them.
const ANY_ROLE = roles.filter((r) => r !== 'admin');

export const ruleSetPresetsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/rule-set-presets', {
    config: { roles: ANY_ROLE },
    schema: {
      operationId: 'listRuleSetPresets',
      tags,
      summary: 'Rule-set presets with their law, period, priority table, structures, gates and tie chains',
      description:
        'A drive pins one preset, chosen by the date its recruitment plan was approved (planApprovedOn). A pin outside the preset’s ' +
        'period is 422 rule_set.not_in_force; historicalOnly presets need use=historical with a reason; provisionalFrom tells from ' +
        'when the preset may only be pinned as provisional.',
      response: { 200: presetListSchema },
    },
    handler: async () => ({ items: presetCatalog() }),
  });

  app.get('/rule-set-presets/:preset', {
    config: { roles: ANY_ROLE },
    schema: {
      operationId: 'getRuleSetPreset',
      tags,
      summary: 'One rule-set preset',
      params: presetParams,
      response: { 200: presetSchema, ...problems(404) },
    },
    handler: async (request) => {
      const found = presetCatalog().find((p) => p.preset === request.params.preset);
      if (!found) throw notFound('rule_set_preset', request.params.preset);
      return found;
    },
  });
};
