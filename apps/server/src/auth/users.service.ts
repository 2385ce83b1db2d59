import { ConflictException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Role } from '@pfnlab/contracts';
import { UserEntity } from '../db/entities';
import { TokenService } from './token.service';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly tokens: TokenService,
  ) {}

  async create(name: string, role: Role): Promise<UserEntity> {
    if (await this.users.exist({ where: { name } })) throw new ConflictException(`user "${name}" exists`);
    return this.users.save(this.users.create({ name, role }));
  }

  /**
   * First start: creates the `admin` user and returns its first token. Refuses
   * when an admin exists, so the bootstrap cannot be replayed to mint tokens.
   */
  async bootstrapAdmin(): Promise<{ token: string } | { exists: true }> {
    if (await this.users.exist({ where: { role: 'admin' } })) return { exists: true };
    const user = await this.users.save(this.users.create({ name: 'admin', role: 'admin' }));
    const { token } = await this.tokens.issue(user.id, 'bootstrap', 'admin');
    return { token };
  }
}
