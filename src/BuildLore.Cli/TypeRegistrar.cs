using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BuildLore.Cli;

/// <summary>Lets Spectre.Console.Cli build commands through Microsoft.Extensions.DependencyInjection.</summary>
internal sealed class TypeRegistrar : ITypeRegistrar
{
    private readonly ServiceCollection _services = new();

    public TypeRegistrar(IAnsiConsole console, StandardStreams streams)
    {
        _services.AddSingleton(console);
        _services.AddSingleton(streams);
    }

    public ITypeResolver Build() => new TypeResolver(_services.BuildServiceProvider());

    public void Register(Type service, Type implementation) => _services.AddSingleton(service, implementation);

    public void RegisterInstance(Type service, object implementation) => _services.AddSingleton(service, implementation);

    public void RegisterLazy(Type service, Func<object> factory) => _services.AddSingleton(service, _ => factory());

    private sealed class TypeResolver(ServiceProvider provider) : ITypeResolver, IDisposable
    {
        public object? Resolve(Type? type) => type is null ? null : provider.GetService(type);

        public void Dispose() => provider.Dispose();
    }
}
