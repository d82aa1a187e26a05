package dev.tollgate.langchain4j;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.SessionSpec;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real gate, with what went through it kept for the test to read. */
final class RecordingGate implements Gate {
  private final Gate gate;
  final List<SessionSpec> opened = new CopyOnWriteArrayList<>();
  final List<Action> actions = new CopyOnWriteArrayList<>();
  final List<Decision> decisions = new CopyOnWriteArrayList<>();
  final List<Observation> observed = new CopyOnWriteArrayList<>();

  RecordingGate(Gate gate) {
    this.gate = gate;
  }

  @Override
  public String agent() {
    return gate.agent();
  }

  @Override
  public String openSession(SessionSpec spec) {
    opened.add(spec);
    return gate.openSession(spec);
  }

  @Override
  public Decision decide(Action action) {
    actions.add(action);
    Decision d = gate.decide(action);
    decisions.add(d);
    return d;
  }

  @Override
  public ObservationResult observe(Observation observation) {
    observed.add(observation);
    return gate.observe(observation);
  }
}
