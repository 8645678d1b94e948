namespace BuildLore.Core.Analysis.Causes;

/// <summary>A failure cause definition is malformed or invalid.</summary>
public sealed class FailureCauseException : Exception
{
    public FailureCauseException()
    {
    }

    public FailureCauseException(string message)
        : base(message)
    {
    }

    public FailureCauseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal FailureCauseException(string message, int? causeIndex, string? causeName, int? indicationNumber, Exception? innerException = null)
        : base(message, innerException)
    {
        CauseIndex = causeIndex;
        CauseName = causeName;
        IndicationNumber = indicationNumber;
    }

    /// <summary>0-based index of the offending cause in the <c>causes</c> array, when known.</summary>
    public int? CauseIndex { get; }

    /// <summary>Name of the offending cause, when it has one.</summary>
    public string? CauseName { get; }

    /// <summary>1-based number of the offending indication (as in <c>${I,G}</c>), when known.</summary>
    public int? IndicationNumber { get; }
}
