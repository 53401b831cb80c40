import type { DoctorReport } from '../api';
import { checkStateLabel, summarizeChecks } from '../format';

interface Props {
  report: DoctorReport;
}

const ICONS = { ok: '✓', warn: '!', fail: '✕' } as const;

export function DoctorChecks({ report }: Props) {
  const summary = summarizeChecks(report.checks);
  return (
    <section class="card" aria-label="Doctor checks">
      <div class="card-head">
        <h2 class="card-title">Checks</h2>
        <span class={`badge badge-${summary.tone}`} data-testid="doctor-summary">
          {summary.text}
        </span>
      </div>
      <ul class="checks" data-testid="doctor-checks">
        {report.checks.map((check, i) => (
          <li class={`check check-${check.state}`} key={`${i}:${check.name}`} data-state={check.state}>
            <span class={`state state-${check.state}`} title={checkStateLabel(check.state)}>
              <span aria-hidden="true">{ICONS[check.state] ?? '?'}</span>
              <span class="state-label">{checkStateLabel(check.state)}</span>
            </span>
            <div class="check-body">
              <div class="check-name">{check.name}</div>
              <div class="check-detail">{check.detail}</div>
              {check.fix && (
                <div class="check-fix">
                  <span class="fix-label">Fix:</span> {check.fix}
                </div>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
